import { describe, expect, it } from "vitest";
import {
  freshnessPolicy,
  healthyUse,
  parseCacheControl,
  servableOnError,
  snapshotPolicy,
  standsInOnError,
} from "../../src/catalog/freshness";

const defaults = { staleWhileRevalidateS: 0, staleIfErrorS: 604_800 };

describe("parseCacheControl", () => {
  it("reads the freshness directives, case-insensitively, quoted or not", () => {
    expect(
      parseCacheControl('Public, MAX-AGE=60, s-maxage="120", stale-while-revalidate=30, stale-if-error=600'),
    ).toEqual({
      maxAge: 60,
      sMaxAge: 120,
      staleWhileRevalidate: 30,
      staleIfError: 600,
      noCache: false,
      mustRevalidate: false,
    });
  });

  it("notices no-cache, must-revalidate and proxy-revalidate", () => {
    expect(parseCacheControl("no-cache")).toMatchObject({ noCache: true, mustRevalidate: false });
    expect(parseCacheControl("max-age=5, must-revalidate")).toMatchObject({ maxAge: 5, mustRevalidate: true });
    expect(parseCacheControl("proxy-revalidate")).toMatchObject({ mustRevalidate: true });
  });

  it("ignores values that are not whole seconds, and a missing header", () => {
    expect(parseCacheControl("max-age=soon, stale-while-revalidate=-1, stale-if-error")).toEqual({
      noCache: false,
      mustRevalidate: false,
    });
    expect(parseCacheControl(null)).toEqual({ noCache: false, mustRevalidate: false });
  });
});

describe("freshnessPolicy", () => {
  it("serves nothing ahead of a healthy origin unless a stale-while-revalidate window exists", () => {
    const policy = freshnessPolicy(parseCacheControl("public, max-age=60"), defaults);
    expect(healthyUse(0, policy)).toBe("live");
    expect(healthyUse(30_000, policy)).toBe("live");
  });

  it("is fresh for the shared lifetime, then revalidates for the stale-while-revalidate window, then goes live", () => {
    const policy = freshnessPolicy(parseCacheControl("max-age=10, s-maxage=60, stale-while-revalidate=30"), defaults);
    expect(healthyUse(59_999, policy)).toBe("fresh");
    expect(healthyUse(60_000, policy)).toBe("revalidate");
    expect(healthyUse(89_999, policy)).toBe("revalidate");
    expect(healthyUse(90_000, policy)).toBe("live");
  });

  it("takes the configured stale-while-revalidate default when the origin names none", () => {
    const policy = freshnessPolicy(parseCacheControl("max-age=0"), { ...defaults, staleWhileRevalidateS: 20 });
    expect(healthyUse(0, policy)).toBe("revalidate");
    expect(healthyUse(20_000, policy)).toBe("live");
  });

  it("lets the origin's stale-while-revalidate=0 switch a configured default off", () => {
    const policy = freshnessPolicy(parseCacheControl("max-age=60, stale-while-revalidate=0"), {
      ...defaults,
      staleWhileRevalidateS: 20,
    });
    expect(healthyUse(0, policy)).toBe("live");
  });

  it("never serves ahead of the origin for no-cache or must-revalidate", () => {
    for (const header of [
      "no-cache, stale-while-revalidate=60",
      "max-age=60, must-revalidate, stale-while-revalidate=60",
    ]) {
      expect(healthyUse(0, freshnessPolicy(parseCacheControl(header), defaults))).toBe("live");
    }
  });

  it("bounds outage serving by the origin's stale-if-error past its lifetime", () => {
    const policy = freshnessPolicy(parseCacheControl("max-age=60, stale-if-error=300"), defaults);
    expect(servableOnError(359_999, policy)).toBe(true);
    expect(servableOnError(360_000, policy)).toBe(false);
  });

  it("uses the configured stale-if-error default when the origin names none", () => {
    const policy = freshnessPolicy(parseCacheControl(null), defaults);
    expect(servableOnError(604_799_000, policy)).toBe(true);
    expect(servableOnError(604_800_000, policy)).toBe(false);
  });

  it("reads a snapshot's stored Cache-Control, and older snapshots without one get the defaults", () => {
    const config = { swrDefaultS: 0, staleIfErrorDefaultS: 100 };
    expect(snapshotPolicy({ cacheControl: "max-age=1, stale-if-error=9" }, config).errorUntilMs).toBe(10_000);
    expect(snapshotPolicy({}, config).errorUntilMs).toBe(100_000);
  });

  it("lets a stored copy stand in for a failing origin only within its stale-if-error window", () => {
    const config = { swrDefaultS: 0, staleIfErrorDefaultS: 100 };
    const copy = { storedAt: 1_000, cacheControl: "max-age=1, stale-if-error=9" };
    expect(standsInOnError(copy, config, 10_999)).toBe(true);
    expect(standsInOnError(copy, config, 11_000)).toBe(false);
    expect(standsInOnError({ storedAt: 0 }, config, 99_999)).toBe(true);
    expect(standsInOnError({ storedAt: 0 }, config, 100_000)).toBe(false);
  });
});
