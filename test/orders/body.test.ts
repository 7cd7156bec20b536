import { describe, expect, it } from "vitest";
import { bodyKind, parseOrderBody } from "../../src/orders/body";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("order bodies", () => {
  it("accepts JSON and form-encoded content types", () => {
    expect(bodyKind("application/json; charset=utf-8")).toBe("json");
    expect(bodyKind("application/vnd.shop+json")).toBe("json");
    expect(bodyKind("application/x-www-form-urlencoded")).toBe("form");
    expect(bodyKind("multipart/form-data; boundary=x")).toBeNull();
    expect(bodyKind("text/plain")).toBeNull();
    expect(bodyKind(null)).toBeNull();
  });

  it("keeps the text exactly as sent", () => {
    const read = parseOrderBody("application/json", bytes('{ "sku" : "A" }'));
    expect(read).toMatchObject({ ok: true, body: { kind: "json", text: '{ "sku" : "A" }' } });
  });

  it("names what is wrong with a body", () => {
    expect(parseOrderBody("application/json", bytes("{nope"))).toEqual({ ok: false, problem: "malformed_json" });
    expect(parseOrderBody("application/json", bytes("  "))).toEqual({ ok: false, problem: "empty" });
    expect(parseOrderBody("application/x-www-form-urlencoded", new Uint8Array([0x61, 0x3d, 0xff]))).toEqual({
      ok: false,
      problem: "not_utf8",
    });
    expect(parseOrderBody("text/plain", bytes("hi"))).toEqual({ ok: false, problem: "unsupported_media_type" });
  });
});
