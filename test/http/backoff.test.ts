import { describe, expect, it } from "vitest";
import { backoffCeilingMs, backoffDelayMs, MAX_RETRY_AFTER_MS, retryAfterMs } from "../../src/http/backoff";

const policy = { baseMs: 1000, maxMs: 60_000 };

describe("retry backoff", () => {
  it("doubles the window with every failure until the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((failures) => backoffCeilingMs(failures, policy))).toEqual([
      2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it("picks a random point in the window, never below the base", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(1000);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(4500);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(8000);
  });

  it("waits at least the base after the first failure, with jitter up to twice it", () => {
    const webhook = { baseMs: 5_000, maxMs: 3_600_000 };
    expect(backoffDelayMs(1, webhook, () => 0)).toBe(5_000);
    expect(backoffDelayMs(1, webhook, () => 0.999999)).toBe(10_000);
    expect(backoffCeilingMs(0, webhook)).toBe(5_000);
  });

  it("never sets the floor above a cap lower than the base", () => {
    expect(backoffCeilingMs(5, { baseMs: 1_000, maxMs: 500 })).toBe(1_000);
  });

  it("stays within the cap after any number of failures", () => {
    for (const failures of [10, 100, 10_000])
      expect(backoffDelayMs(failures, policy, () => 0.999999)).toBeLessThanOrEqual(60_000);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");

  it("reads delay seconds", () => {
    expect(retryAfterMs("30", now)).toBe(30_000);
  });

  it("reads an HTTP date", () => {
    expect(retryAfterMs("Thu, 26 Nov 2026 12:01:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("Thu, 26 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("ignores a missing or unreadable header and caps a huge one", () => {
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs("999999", now)).toBe(MAX_RETRY_AFTER_MS);
  });
});
