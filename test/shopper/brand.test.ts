import { describe, expect, it } from "vitest";
import { readableTextOn } from "../../src/shopper/brand";

describe("readableTextOn", () => {
  it("puts white text on dark brand colours and black on light ones", () => {
    expect(readableTextOn("#6b3e26")).toBe("#ffffff");
    expect(readableTextOn("#000")).toBe("#ffffff");
    expect(readableTextOn("#ffeb3b")).toBe("#000000");
    expect(readableTextOn("#fff")).toBe("#000000");
  });
});
