import { describe, expect, it } from "vitest";
import { SLOW_START_FLOOR, slowStartShare } from "../../src/origin/slow-start";

describe("slow start", () => {
  const ramp = { startedAt: 10_000, durationMs: 30_000 };

  it("starts from the floor and grows linearly to the whole traffic", () => {
    expect(slowStartShare(ramp, 10_000)).toBe(SLOW_START_FLOOR);
    expect(slowStartShare(ramp, 10_000 + 1500)).toBe(SLOW_START_FLOOR);
    expect(slowStartShare(ramp, 10_000 + 15_000)).toBeCloseTo(0.5);
    expect(slowStartShare(ramp, 10_000 + 27_000)).toBeCloseTo(0.9);
    expect(slowStartShare(ramp, 40_000)).toBe(1);
  });

  it("sends everything when there is no slow start or it is switched off", () => {
    expect(slowStartShare(null, 0)).toBe(1);
    expect(slowStartShare({ startedAt: 0, durationMs: 0 }, 0)).toBe(1);
  });
});
