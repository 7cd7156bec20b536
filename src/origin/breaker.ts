/**
 * The circuit breaker as a pure state machine over plain data, so the same
 * state can live in an isolate's memory, travel over RPC and be stored by the
 * OriginMonitor Durable Object.
 *
 * closed → open after `failureThreshold` consecutive shopper failures, or
 *   `unhealthyProbes` consecutive failed health probes;
 * open → half-open once `cooldownMs` has passed (shoppers are still kept away);
 * half-open → closed after `healthyProbes` consecutive good probes,
 *   → open again on the first failed probe.
 * Shopper traffic is only sent while closed, so once the breaker leaves closed
 * nobody waits for the origin; probes, not shoppers, test a recovering origin.
 */

export type BreakerPolicy = {
  failureThreshold: number;
  cooldownMs: number;
  healthyProbes: number;
  unhealthyProbes: number;
};

export type BreakerState =
  | { state: "closed"; since: number; failures: number; probeFailures: number; lastError?: string }
  | { state: "open"; since: number; downSince: number; lastError?: string }
  | { state: "half-open"; since: number; downSince: number; goodProbes: number; lastError?: string };

/** What an isolate saw since its last report: counts, plus the failures after its last success. */
export type Outcomes = { successes: number; failures: number; trailingFailures: number; lastError?: string };

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export const initialBreaker = (now: number): BreakerState => ({
  state: "closed",
  since: now,
  failures: 0,
  probeFailures: 0,
});

export const noOutcomes: Outcomes = { successes: 0, failures: 0, trailingFailures: 0 };

export function addOutcome(outcomes: Outcomes, failure: string | null): Outcomes {
  if (failure === null) return { ...outcomes, successes: outcomes.successes + 1, trailingFailures: 0 };
  return {
    successes: outcomes.successes,
    failures: outcomes.failures + 1,
    trailingFailures: outcomes.trailingFailures + 1,
    lastError: failure,
  };
}

/** `later` happened after `earlier`; the result is the same as having counted both in one batch. */
export function mergeOutcomes(earlier: Outcomes, later: Outcomes): Outcomes {
  return {
    successes: earlier.successes + later.successes,
    failures: earlier.failures + later.failures,
    trailingFailures: later.successes > 0 ? later.trailingFailures : earlier.trailingFailures + later.failures,
    lastError: later.lastError ?? earlier.lastError,
  };
}

export const isEmpty = (outcomes: Outcomes): boolean => outcomes.successes === 0 && outcomes.failures === 0;

const opened = (now: number, downSince: number, lastError: string | undefined): BreakerState => ({
  state: "open",
  since: now,
  downSince,
  ...(lastError ? { lastError } : {}),
});

/** Time-driven transitions: an open breaker becomes half-open once the cooldown has passed. */
export function tick(current: BreakerState, now: number, policy: BreakerPolicy): BreakerState {
  if (current.state !== "open" || now - current.since < policy.cooldownMs) return current;
  return {
    state: "half-open",
    since: now,
    downSince: current.downSince,
    goodProbes: 0,
    ...(current.lastError ? { lastError: current.lastError } : {}),
  };
}

/** Shopper traffic results. Only a closed breaker counts them; the others just remember the newest error. */
export function applyOutcomes(
  current: BreakerState,
  outcomes: Outcomes,
  now: number,
  policy: BreakerPolicy,
): BreakerState {
  if (isEmpty(outcomes)) return current;
  if (current.state !== "closed") return outcomes.lastError ? { ...current, lastError: outcomes.lastError } : current;
  const failures = outcomes.successes > 0 ? outcomes.trailingFailures : current.failures + outcomes.failures;
  const lastError = outcomes.lastError ?? current.lastError;
  if (failures >= policy.failureThreshold) return opened(now, now, lastError);
  if (failures === 0)
    return { state: "closed", since: current.since, failures: 0, probeFailures: current.probeFailures };
  return {
    state: "closed",
    since: current.since,
    failures,
    probeFailures: current.probeFailures,
    ...(lastError ? { lastError } : {}),
  };
}

/** One active health probe's verdict. */
export function applyProbe(
  current: BreakerState,
  probe: ProbeResult,
  now: number,
  policy: BreakerPolicy,
): BreakerState {
  switch (current.state) {
    case "closed": {
      // A good probe breaks any run of failures: a quiet shop is not left "degraded" until a shopper comes.
      if (probe.ok)
        return current.probeFailures === 0 && current.failures === 0
          ? current
          : { ...current, failures: 0, probeFailures: 0 };
      const probeFailures = current.probeFailures + 1;
      if (probeFailures >= policy.unhealthyProbes) return opened(now, now, probe.reason);
      return { ...current, probeFailures, lastError: probe.reason };
    }
    case "open":
      // Good probes during the cooldown do not count: the cooldown is what stops flapping.
      return probe.ok ? current : { ...current, lastError: probe.reason };
    case "half-open": {
      if (!probe.ok) return opened(now, current.downSince, probe.reason);
      const goodProbes = current.goodProbes + 1;
      if (goodProbes >= policy.healthyProbes) return { state: "closed", since: now, failures: 0, probeFailures: 0 };
      return { ...current, goodProbes };
    }
  }
}

/** Whether shopper traffic may go to the origin. */
export const admits = (current: BreakerState): boolean => current.state === "closed";

export type OriginHealthLabel = "up" | "degraded" | "down";

/**
 * The public status words: down while shoppers are kept away, degraded while
 * failures are being counted, up otherwise. Slow start is up: shoppers reach
 * the origin again (only a crowd is partly shed), and the admin status shows
 * the ramp.
 */
export function healthLabel(current: BreakerState): OriginHealthLabel {
  if (current.state !== "closed") return "down";
  return current.failures > 0 || current.probeFailures > 0 ? "degraded" : "up";
}

/** When the current situation began: the whole outage while down, else the last change. */
export const labelSince = (current: BreakerState): number =>
  current.state === "closed" ? current.since : current.downSince;

/** The event name logged for entering a state. */
export function transitionEvent(
  next: BreakerState["state"],
): "breaker_opened" | "breaker_half_open" | "breaker_closed" {
  return next === "open" ? "breaker_opened" : next === "half-open" ? "breaker_half_open" : "breaker_closed";
}
