import { describe, expect, it } from "vitest";
import { nextInFlight } from "../../src/orders/ramp";

describe("replay ramp", () => {
  it("starts with one and doubles after each good batch up to the cap", () => {
    const steps = [1];
    for (let i = 0; i < 5; i++) steps.push(nextInFlight(steps.at(-1)!, "succeeded", 8));
    expect(steps).toEqual([1, 2, 4, 8, 8, 8]);
  });

  it("drops back to one on any failure", () => {
    expect(nextInFlight(8, "failed", 8)).toBe(1);
    expect(nextInFlight(1, "failed", 8)).toBe(1);
  });

  it("never exceeds a cap of one", () => {
    expect(nextInFlight(1, "succeeded", 1)).toBe(1);
  });
});
