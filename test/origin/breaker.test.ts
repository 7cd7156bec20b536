import { describe, expect, it } from "vitest";
import {
  addOutcome,
  applyOutcomes,
  applyProbe,
  healthLabel,
  ISOLATION_MS,
  initialBreaker,
  mergeOutcomes,
  noOutcomes,
  tick,
  type BreakerPolicy,
  type BreakerState,
  type Outcomes,
} from "../../src/origin/breaker";

const policy: BreakerPolicy = {
  failureThreshold: 3,
  cooldownMs: 10_000,
  healthyProbes: 2,
  unhealthyProbes: 3,
  minPaths: 2,
};
/** `n` failures, each on its own path unless `paths` says which. */
const failures = (n: number, reason = "refused", paths = Array.from({ length: n }, (_, i) => `/p${i}`)): Outcomes => ({
  successes: 0,
  failures: n,
  trailingFailures: n,
  trailingPaths: paths,
  lastError: reason,
});
const successes = (n: number): Outcomes => ({ successes: n, failures: 0, trailingFailures: 0 });
const good = { ok: true } as const;
const bad = { ok: false, reason: "timeout" } as const;

function openedAt(at: number): BreakerState {
  return applyOutcomes(initialBreaker(0), failures(3), at, policy);
}

describe("breaker: shopper traffic", () => {
  it("opens after BREAKER_FAILURES consecutive failures, remembering when and why", () => {
    const two = applyOutcomes(initialBreaker(0), failures(2), 5, policy);
    expect(two).toMatchObject({ state: "closed", failures: 2, lastError: "refused" });
    expect(applyOutcomes(two, failures(1, "status_502"), 7, policy)).toEqual({
      state: "open",
      since: 7,
      downSince: 7,
      lastError: "status_502",
    });
  });

  it("counts only the failures after the last success of a batch", () => {
    const batch = [null, "reset", null, "reset", "reset"].reduce<Outcomes>(
      (acc, failure) => addOutcome(acc, failure),
      noOutcomes,
    );
    expect(batch).toEqual({ successes: 2, failures: 3, trailingFailures: 2, trailingPaths: ["/"], lastError: "reset" });
    const state = applyOutcomes(applyOutcomes(initialBreaker(0), failures(2), 1, policy), batch, 2, policy);
    expect(state).toMatchObject({ state: "closed", failures: 2 });
  });

  it("adds a batch without successes to the failures already counted", () => {
    const state = applyOutcomes(applyOutcomes(initialBreaker(0), failures(2), 1, policy), failures(1), 2, policy);
    expect(state.state).toBe("open");
  });

  it("merges two batches as if they were one", () => {
    const earlier = [null, "reset"].reduce<Outcomes>((acc, f) => addOutcome(acc, f, "/a"), noOutcomes);
    const later = ["reset", "timeout"].reduce<Outcomes>((acc, f) => addOutcome(acc, f, "/b"), noOutcomes);
    expect(mergeOutcomes(earlier, later)).toEqual({
      successes: 1,
      failures: 3,
      trailingFailures: 3,
      trailingPaths: ["/a", "/b"],
      lastError: "timeout",
    });
    expect(mergeOutcomes(later, successes(1))).toEqual({
      successes: 1,
      failures: 2,
      trailingFailures: 0,
      lastError: "timeout",
    });
  });

  it("a success resets the count", () => {
    const state = applyOutcomes(applyOutcomes(initialBreaker(0), failures(2), 1, policy), successes(1), 2, policy);
    expect(state).toEqual({ state: "closed", since: 0, failures: 0, probeFailures: 0 });
  });

  it("never opens on one URL's failures alone, however many", () => {
    const hammered = applyOutcomes(initialBreaker(0), failures(500, "status_500", ["/search"]), 1, policy);
    expect(hammered).toMatchObject({ state: "closed", failures: 500, paths: ["/search"] });
    expect(applyOutcomes(hammered, failures(20, "timeout", ["/search"]), 2, policy).state).toBe("closed");
  });

  it("opens once a run of failures spans BREAKER_MIN_PATHS distinct paths, across batches", () => {
    const one = applyOutcomes(initialBreaker(0), failures(5, "status_500", ["/p/broken"]), 1, policy);
    expect(applyOutcomes(one, failures(1, "refused", ["/c/tea"]), 2, policy)).toMatchObject({
      state: "open",
      lastError: "refused",
    });
  });

  it("forgets the paths of a run a success ended", () => {
    const one = applyOutcomes(initialBreaker(0), failures(5, "status_500", ["/p/broken"]), 1, policy);
    const batch = addOutcome(addOutcome(noOutcomes, null), "refused", "/c/tea");
    expect(applyOutcomes(one, batch, 2, policy)).toMatchObject({ state: "closed", failures: 1, paths: ["/c/tea"] });
  });

  it("ignores shopper successes while open: only probes close it", () => {
    expect(applyOutcomes(openedAt(100), successes(5), 200, policy)).toMatchObject({ state: "open", since: 100 });
  });
});

describe("breaker: cooldown and probes", () => {
  it("turns half-open once the cooldown has passed, not before", () => {
    expect(tick(openedAt(100), 10_099, policy).state).toBe("open");
    expect(tick(openedAt(100), 10_100, policy)).toMatchObject({
      state: "half-open",
      since: 10_100,
      downSince: 100,
      goodProbes: 0,
    });
  });

  it("does not count good probes during the cooldown", () => {
    const state = applyProbe(openedAt(100), good, 5_000, policy);
    expect(state).toMatchObject({ state: "open", since: 100 });
  });

  it("closes only after PROBE_HEALTHY_THRESHOLD consecutive good probes", () => {
    const halfOpen = tick(openedAt(100), 10_100, policy);
    const one = applyProbe(halfOpen, good, 10_200, policy);
    expect(one).toMatchObject({ state: "half-open", goodProbes: 1 });
    expect(applyProbe(one, good, 15_200, policy)).toEqual({
      state: "closed",
      since: 15_200,
      failures: 0,
      probeFailures: 0,
    });
  });

  it("re-opens on a failed probe while half-open, keeping when the outage began", () => {
    const one = applyProbe(tick(openedAt(100), 10_100, policy), good, 10_200, policy);
    expect(applyProbe(one, bad, 15_200, policy)).toEqual({
      state: "open",
      since: 15_200,
      downSince: 100,
      lastError: "timeout",
    });
  });

  it("opens a closed breaker after PROBE_UNHEALTHY_THRESHOLD consecutive failed probes", () => {
    let state = initialBreaker(0);
    state = applyProbe(state, bad, 1, policy);
    state = applyProbe(state, bad, 2, policy);
    state = applyProbe(state, good, 3, policy);
    expect(state).toMatchObject({ state: "closed", probeFailures: 0 });
    for (const at of [4, 5, 6]) state = applyProbe(state, bad, at, policy);
    expect(state).toEqual({ state: "open", since: 6, downSince: 6, lastError: "timeout" });
  });

  it("opens at the first failed probe while shopper failures are counted: the shop is down, not one URL", () => {
    const failing = applyOutcomes(initialBreaker(0), failures(1, "status_502", ["/only-one"]), 1, policy);
    expect(applyProbe(failing, bad, 2, policy)).toEqual({
      state: "open",
      since: 2,
      downSince: 2,
      lastError: "timeout",
    });
  });

  it("after a good probe, counts the failing URL's further failures as its own until ISOLATION_MS has passed", () => {
    const failing = applyOutcomes(initialBreaker(0), failures(4, "status_500", ["/p/broken"]), 1, policy);
    const isolated = applyProbe(failing, good, 2, policy);
    expect(isolated).toMatchObject({ state: "closed", failures: 0, isolated: { paths: ["/p/broken"] } });
    // Its failures no longer count, so a failed probe now is no confirmation of anything.
    const hammered = applyOutcomes(isolated, failures(50, "status_500", ["/p/broken"]), 3, policy);
    expect(hammered).toMatchObject({ state: "closed", failures: 0 });
    expect(applyProbe(hammered, bad, 4, policy)).toMatchObject({ state: "closed", probeFailures: 1 });
    // Another URL failing still counts, and the isolated one does not help open.
    const other = applyOutcomes(hammered, failures(3, "refused", ["/p/broken", "/c/tea"]), 5, policy);
    expect(other).toMatchObject({ state: "closed", failures: 3, paths: ["/c/tea"] });
    // Broken before an outage, most likely broken after it: still isolated once the shop is back.
    const down = applyProbe(applyOutcomes(hammered, failures(3, "refused"), 6, policy), bad, 7, policy);
    const back = applyProbe(
      applyProbe(tick(down, 7 + policy.cooldownMs, policy), good, 8 + policy.cooldownMs, policy),
      good,
      9 + policy.cooldownMs,
      policy,
    );
    expect(back).toMatchObject({ state: "closed", isolated: { paths: ["/p/broken"] } });
    expect(applyOutcomes(back, failures(9, "status_500", ["/p/broken"]), 10 + policy.cooldownMs, policy)).toMatchObject(
      {
        failures: 0,
      },
    );
    const later = 2 + ISOLATION_MS;
    expect(applyOutcomes(isolated, failures(1, "status_500", ["/p/broken"]), later, policy)).toMatchObject({
      failures: 1,
      paths: ["/p/broken"],
    });
  });

  it("clears a closed breaker's run of shopper failures on a good probe, so a quiet shop reads up again", () => {
    const failed = applyOutcomes(initialBreaker(0), failures(1), 1, policy);
    expect(healthLabel(failed)).toBe("degraded");
    const probed = applyProbe(failed, good, 2, policy);
    expect(probed).toMatchObject({ state: "closed", failures: 0, probeFailures: 0 });
    expect(healthLabel(probed)).toBe("up");
  });
});

describe("breaker: public label", () => {
  it("says up, degraded while failures are counted, down while shoppers are kept away", () => {
    expect(healthLabel(initialBreaker(0))).toBe("up");
    expect(healthLabel(applyOutcomes(initialBreaker(0), failures(1), 1, policy))).toBe("degraded");
    expect(healthLabel(openedAt(1))).toBe("down");
    expect(healthLabel(tick(openedAt(1), 20_000, policy))).toBe("down");
  });
});
