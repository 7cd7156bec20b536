/**
 * The circuit breaker as a pure state machine over plain data, so the same
 * state can live in an isolate's memory or in Durable Object storage.
 * closed → open after `failureThreshold` consecutive failures;
 * open → half-open after `cooldownMs`, admitting exactly one probe;
 * the probe's result closes or re-opens it.
 */

export type BreakerPolicy = { failureThreshold: number; cooldownMs: number };

export type BreakerState =
  | { state: "closed"; since: number; failures: number; lastError?: string }
  | { state: "open"; since: number; lastError?: string }
  | { state: "half-open"; since: number; probeStartedAt: number; lastError?: string };

export type Admission = { admitted: boolean; probe: boolean; next: BreakerState };

export const initialBreaker = (now: number): BreakerState => ({ state: "closed", since: now, failures: 0 });

export function admit(current: BreakerState, now: number, policy: BreakerPolicy): Admission {
  switch (current.state) {
    case "closed":
      return { admitted: true, probe: false, next: current };
    case "open":
      if (now - current.since < policy.cooldownMs) return { admitted: false, probe: false, next: current };
      return { admitted: true, probe: true, next: { state: "half-open", since: now, probeStartedAt: now, lastError: current.lastError } };
    case "half-open":
      // A probe that never reported back (its isolate died) must not wedge the breaker.
      if (now - current.probeStartedAt < policy.cooldownMs) return { admitted: false, probe: false, next: current };
      return { admitted: true, probe: true, next: { ...current, probeStartedAt: now } };
  }
}

export function recordSuccess(current: BreakerState, now: number): BreakerState {
  switch (current.state) {
    case "closed":
      return current.failures === 0 ? current : { state: "closed", since: current.since, failures: 0 };
    case "half-open":
      return { state: "closed", since: now, failures: 0 };
    case "open":
      // Only the half-open probe may close an open breaker; late successes are ignored.
      return current;
  }
}

export function recordFailure(current: BreakerState, now: number, policy: BreakerPolicy, reason: string): BreakerState {
  switch (current.state) {
    case "closed": {
      const failures = current.failures + 1;
      if (failures >= policy.failureThreshold) return { state: "open", since: now, lastError: reason };
      return { state: "closed", since: current.since, failures, lastError: reason };
    }
    case "half-open":
      return { state: "open", since: now, lastError: reason };
    case "open":
      return { ...current, lastError: reason };
  }
}

export type OriginHealthLabel = "up" | "degraded" | "down";

/** The public status words: up, degraded (failing but still tried), down (breaker open). */
export function healthLabel(current: BreakerState): OriginHealthLabel {
  if (current.state === "open") return "down";
  if (current.state === "half-open" || current.failures > 0) return "degraded";
  return "up";
}
