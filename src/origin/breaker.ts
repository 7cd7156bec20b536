import { MAX_TRACKED_PATHS } from "../config/schema";

/**
 * The circuit breaker as a pure state machine over plain data, so the same
 * state can live in an isolate's memory, travel over RPC and be stored by the
 * OriginMonitor Durable Object.
 *
 * closed → open when a health probe fails while shopper failures are being
 *   counted (the first failure asks for that probe at once), when a run of
 *   `failureThreshold` consecutive shopper failures spans `minPaths` distinct
 *   paths, or after `unhealthyProbes` consecutive failed probes. Failures of
 *   one URL alone never open it: any client can make one URL fail on demand.
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
  minPaths: number;
};

/**
 * How long a URL that failed while the health probe said the shop is fine
 * keeps failing on its own account: its failures neither count toward opening
 * nor ask for another probe meanwhile, so a client hammering it costs the
 * origin one probe per this interval at most.
 */
export const ISOLATION_MS = 5 * 60_000;

export type Isolated = { paths: string[]; until: number };

/** The paths failing on their own account at `now`. */
export function isolatedPaths(current: BreakerState, now: number): readonly string[] {
  if (current.state !== "closed" || !current.isolated || now >= current.isolated.until) return [];
  return current.isolated.paths;
}

export type BreakerState =
  | {
      state: "closed";
      since: number;
      failures: number;
      probeFailures: number;
      /** The distinct paths (no query) of the current run of failures; absent when there is none. */
      paths?: string[];
      /** Paths a good health probe found failing on their own: until `until`, their failures are theirs alone. */
      isolated?: Isolated;
      lastError?: string;
    }
  | { state: "open"; since: number; downSince: number; isolated?: Isolated; lastError?: string }
  | {
      state: "half-open";
      since: number;
      downSince: number;
      goodProbes: number;
      isolated?: Isolated;
      lastError?: string;
    };

/**
 * What an isolate saw since its last report: counts, plus the failures after
 * its last success and the distinct paths they hit (absent when none).
 */
export type Outcomes = {
  successes: number;
  failures: number;
  trailingFailures: number;
  trailingPaths?: string[];
  lastError?: string;
};

export type ProbeResult = { ok: true } | { ok: false; reason: string };

export const initialBreaker = (now: number): BreakerState => ({
  state: "closed",
  since: now,
  failures: 0,
  probeFailures: 0,
});

export const noOutcomes: Outcomes = { successes: 0, failures: 0, trailingFailures: 0 };

/** The distinct paths of both lists, the earlier first, at most MAX_TRACKED_PATHS; `undefined` when none. */
export function unitePaths(earlier: readonly string[] = [], later: readonly string[] = []): string[] | undefined {
  if (later.length === 0) return earlier.length > 0 ? [...earlier] : undefined;
  const united = [...earlier];
  for (const path of later) if (united.length < MAX_TRACKED_PATHS && !united.includes(path)) united.push(path);
  return united;
}

const withPaths = (paths: string[] | undefined) => (paths ? { trailingPaths: paths } : {});

/** One more result: a success (`failure` null) or a failure with its reason and the request's path. */
export function addOutcome(outcomes: Outcomes, failure: string | null, path = "/"): Outcomes {
  if (failure === null) {
    const { trailingPaths: _, ...rest } = outcomes;
    return { ...rest, successes: outcomes.successes + 1, trailingFailures: 0 };
  }
  return {
    successes: outcomes.successes,
    failures: outcomes.failures + 1,
    trailingFailures: outcomes.trailingFailures + 1,
    ...withPaths(unitePaths(outcomes.trailingPaths, [path])),
    lastError: failure,
  };
}

/** `later` happened after `earlier`; the result is the same as having counted both in one batch. */
export function mergeOutcomes(earlier: Outcomes, later: Outcomes): Outcomes {
  const afterSuccess = later.successes > 0;
  const merged: Outcomes = {
    successes: earlier.successes + later.successes,
    failures: earlier.failures + later.failures,
    trailingFailures: afterSuccess ? later.trailingFailures : earlier.trailingFailures + later.failures,
    ...withPaths(afterSuccess ? later.trailingPaths : unitePaths(earlier.trailingPaths, later.trailingPaths)),
  };
  const lastError = later.lastError ?? earlier.lastError;
  return lastError ? { ...merged, lastError } : merged;
}

export const isEmpty = (outcomes: Outcomes): boolean => outcomes.successes === 0 && outcomes.failures === 0;

/** URLs isolated before an outage stay so through it: broken before, most likely broken after. */
const keepIsolated = (current: BreakerState) => (current.isolated ? { isolated: current.isolated } : {});

const opened = (now: number, downSince: number, lastError: string | undefined, from: BreakerState): BreakerState => ({
  state: "open",
  since: now,
  downSince,
  ...keepIsolated(from),
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
    ...keepIsolated(current),
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
  const afterSuccess = outcomes.successes > 0;
  const isolated = isolatedPaths(current, now);
  const reported = outcomes.trailingPaths?.filter((path) => !isolated.includes(path));
  // Failures only on isolated URLs (an isolate that had not heard yet) are those URLs' own.
  const ownOnly = outcomes.failures > 0 && reported?.length === 0;
  const batchFailures = ownOnly ? 0 : afterSuccess ? outcomes.trailingFailures : outcomes.failures;
  const failures = afterSuccess ? batchFailures : current.failures + batchFailures;
  const paths = afterSuccess ? unitePaths([], reported) : unitePaths(current.paths, reported);
  const lastError = ownOnly ? current.lastError : (outcomes.lastError ?? current.lastError);
  // One URL failing, however often, is that URL's problem; several at once are the shop's.
  if (failures >= policy.failureThreshold && (paths?.length ?? 0) >= policy.minPaths)
    return opened(now, now, lastError, current);
  const kept = current.isolated && isolated.length > 0 ? { isolated: current.isolated } : {};
  if (failures === 0)
    return { state: "closed", since: current.since, failures: 0, probeFailures: current.probeFailures, ...kept };
  return {
    state: "closed",
    since: current.since,
    failures,
    probeFailures: current.probeFailures,
    ...(paths ? { paths } : {}),
    ...kept,
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
      // A good probe breaks any run of failures: what failed were those URLs, not the shop.
      if (probe.ok) {
        if (current.probeFailures === 0 && current.failures === 0) return current;
        const paths = unitePaths(isolatedPaths(current, now), current.paths);
        return {
          state: "closed",
          since: current.since,
          failures: 0,
          probeFailures: 0,
          ...(paths ? { isolated: { paths, until: now + ISOLATION_MS } } : {}),
        };
      }
      // Shoppers fail and the health path fails too: the shop is down, not one URL.
      if (current.failures > 0) return opened(now, now, probe.reason, current);
      const probeFailures = current.probeFailures + 1;
      if (probeFailures >= policy.unhealthyProbes) return opened(now, now, probe.reason, current);
      return { ...current, probeFailures, lastError: probe.reason };
    }
    case "open":
      // Good probes during the cooldown do not count: the cooldown is what stops flapping.
      return probe.ok ? current : { ...current, lastError: probe.reason };
    case "half-open": {
      if (!probe.ok) return opened(now, current.downSince, probe.reason, current);
      const goodProbes = current.goodProbes + 1;
      if (goodProbes >= policy.healthyProbes)
        return { state: "closed", since: now, failures: 0, probeFailures: 0, ...keepIsolated(current) };
      return { ...current, goodProbes };
    }
  }
}

/** Whether shopper traffic may go to the origin. */
export const admits = (current: BreakerState): boolean => current.state === "closed";

/** Shoppers fail while the origin may be fine: a health probe should say which. */
export const awaitsConfirmation = (current: BreakerState): boolean =>
  current.state === "closed" && current.failures > 0;

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
