import { describe, expect, it } from "vitest";
import type { ProbeConfig } from "../../src/config/schema";
import { initialBreaker, type BreakerState } from "../../src/origin/breaker";
import { nextProbeAt, probeOrigin, statusExpected } from "../../src/origin/probe";
import { parseStatusRanges } from "../../src/config/status-ranges";

const probe: ProbeConfig = {
  intervalMs: 5000,
  idleIntervalMs: 60_000,
  timeoutMs: 2000,
  expectStatus: [{ min: 200, max: 399 }],
  healthyThreshold: 2,
  unhealthyThreshold: 3,
};

describe("expected probe statuses", () => {
  it("reads single statuses and ranges", () => {
    const ranges = parseStatusRanges("200-299, 304,404")!;
    expect([200, 299, 304, 404].every((status) => statusExpected(status, ranges))).toBe(true);
    expect([199, 300, 403, 500].some((status) => statusExpected(status, ranges))).toBe(false);
  });

  it("refuses what is not a status list", () => {
    for (const text of ["", "2xx", "399-200", "200-", "600", "200;300"]) expect(parseStatusRanges(text)).toBeNull();
  });
});

describe("probe schedule", () => {
  const open: BreakerState = { state: "open", since: 1000, downSince: 1000 };

  it("probes every PROBE_INTERVAL_MS while shoppers are kept away, counting from the state change", () => {
    expect(nextProbeAt(open, null, probe)).toBe(6000);
    expect(nextProbeAt(open, 500, probe)).toBe(6000);
    expect(nextProbeAt(open, 7000, probe)).toBe(12_000);
  });

  it("probes slowly while closed, and not at all when PROBE_IDLE_INTERVAL_MS is 0", () => {
    expect(nextProbeAt(initialBreaker(0), 1000, probe)).toBe(61_000);
    expect(nextProbeAt(initialBreaker(0), 1000, { ...probe, idleIntervalMs: 0 })).toBeNull();
  });
});

describe("a probe of an origin that is no URL", () => {
  it("fails with invalid_url instead of throwing (a monitor kept from an unusable ORIGIN_URL)", async () => {
    expect(await probeOrigin("", "/", probe)).toMatchObject({ ok: false, reason: "invalid_url" });
  });
});
