import { backoffDelayMs, type BackoffPolicy } from "../http/backoff";
import { nextInFlight } from "./ramp";
import type { DeliverySettings, OrderAction, OrderState } from "./types";
import type { DeliveryVerdict } from "./verdict";

/**
 * How a shard of the order queue schedules its replays, as pure functions over
 * plain data: how many orders go at once and for how long they are leased, how
 * an order that failed backs off and when it needs an operator, when the shard
 * pauses, when it must wake up, what an operator may move. The store
 * (src/orders/order-store.ts) keeps the results; the Durable Object
 * (src/orders/order-queue.ts) applies them.
 */

/** Delivered and discarded orders stay this long (status pages, idempotency), then they are deleted. */
export const RETENTION_MS = 30 * 86_400_000;
/** One alarm run sends at most this many batches or runs this long, then re-arms: no run holds the object for long. */
export const MAX_BATCHES_PER_RUN = 32;
export const RUN_BUDGET_MS = 20_000;
/** A delivery whose lease ran out (the object died mid-request) is sent again; the lease is twice the origin deadline plus this. */
const LEASE_MARGIN_MS = 1_000;
/** Settings kept by an older version have no caps: the defaults of ORDER_MAX_ATTEMPTS and ORDER_MAX_RETRY_HOURS. */
const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_MAX_RETRY_MS = 72 * 3_600_000;
/**
 * How often a shard whose replays are held for an unreadable REPLAY_SECRET looks again: the secret
 * comes back with a PUT of the shop (live on every isolate within 10 s), and one registry version
 * check a minute per shard costs next to nothing while the platform token is being rotated.
 */
export const HELD_RECHECK_MS = 60_000;
/** Distinct orders failing in a row, with no answer from the origin in between, that make the shard pause. */
export const DOWN_STREAK = 2;

/** The shard's pace: replays in flight, the failure streak (and the last order in it), and its pause. */
export type Pace = { inFlight: number; failures: number; failedSeq: number | null; pausedUntil: number };

export function backoffPolicy(settings: DeliverySettings): BackoffPolicy {
  return { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs };
}

/** How many orders the next batch claims, and until when they are leased; null while the shard is paused. */
export function nextBatch(
  pace: Pace,
  settings: DeliverySettings,
  now: number,
): { limit: number; leaseUntil: number } | null {
  if (now < pace.pausedUntil) return null;
  return {
    limit: Math.min(pace.inFlight, settings.maxInFlight),
    leaseUntil: now + 2 * settings.originTimeoutMs + LEASE_MARGIN_MS,
  };
}

/** Where an order goes after a retryable failure, and why it stops there when it does. */
export type RetryStep = {
  state: "queued" | "needs_attention";
  strikes: number;
  cause: "max_attempts" | "max_retry_hours" | null;
  delayMs: number;
  nextAttemptAt: number;
};

/**
 * A retryable failure counts against ORDER_MAX_ATTEMPTS only while the origin
 * seems up (`originUp`), so an outage never uses up the orders' attempts. At
 * the cap, or ORDER_MAX_RETRY_HOURS after it was queued, the order needs
 * attention. Its next attempt waits out its own backoff, or the origin's
 * Retry-After when that is longer.
 */
export function retryStep(
  order: { attempts: number; strikes: number; queuedAt: number },
  verdict: Extract<DeliveryVerdict, { kind: "retry" }>,
  now: number,
  settings: DeliverySettings,
  policy: BackoffPolicy,
  originUp: boolean,
): RetryStep {
  const strikes = order.strikes + (originUp ? 1 : 0);
  const cap =
    strikes >= (settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
      ? "max_attempts"
      : now - order.queuedAt >= (settings.maxRetryMs ?? DEFAULT_MAX_RETRY_MS)
        ? "max_retry_hours"
        : null;
  const delayMs = Math.max(backoffDelayMs(order.attempts, policy), verdict.retryAfterMs ?? 0);
  return {
    state: cap === null ? "queued" : "needs_attention",
    strikes,
    cause: cap,
    delayMs,
    nextAttemptAt: now + delayMs,
  };
}

/** The shard's pace after a batch, how many different orders have failed in a row, and the pause it starts (if any). */
export type PaceStep = { pace: Pace; streak: number; pauseMs: number | null };

/**
 * Paces the shard after a batch. A clean batch ramps up; a batch the origin
 * answered in part leaves the pace as it is (what failed is those orders' own
 * trouble); a batch of failures only drops to one in flight, and pauses the
 * shard once DOWN_STREAK different orders failed in a row: the origin itself
 * seems down.
 */
export function paceAfterBatch(
  shard: Pace,
  claimed: { seq: number }[],
  verdicts: DeliveryVerdict[],
  now: number,
  settings: DeliverySettings,
  policy: BackoffPolicy,
): PaceStep {
  const failed = claimed.filter((_order, i) => verdicts[i]!.kind === "retry");
  if (failed.length === 0) {
    return {
      pace: {
        inFlight: nextInFlight(shard.inFlight, "succeeded", settings.maxInFlight),
        failures: 0,
        failedSeq: null,
        pausedUntil: 0,
      },
      streak: 0,
      pauseMs: null,
    };
  }
  if (failed.length < claimed.length) {
    return { pace: { ...shard, failures: 0, failedSeq: null, pausedUntil: 0 }, streak: 0, pauseMs: null };
  }
  // The same order failing again is no news about the origin.
  const streak = shard.failures + failed.filter((order) => order.seq !== shard.failedSeq).length;
  const lastFailed = failed.at(-1)!.seq;
  const inFlight = nextInFlight(shard.inFlight, "failed", settings.maxInFlight);
  if (streak < DOWN_STREAK) {
    return { pace: { ...shard, inFlight, failures: streak, failedSeq: lastFailed }, streak, pauseMs: null };
  }
  const retryAfter = verdicts.map((verdict) => (verdict.kind === "retry" ? (verdict.retryAfterMs ?? 0) : 0));
  const pauseMs = Math.max(backoffDelayMs(streak - 1, policy), ...retryAfter);
  return {
    pace: { inFlight, failures: streak, failedSeq: lastFailed, pausedUntil: now + pauseMs },
    streak,
    pauseMs,
  };
}

/**
 * Whether a batch's retryable failures are the orders' own (they then count
 * against ORDER_MAX_ATTEMPTS): yes when the origin answered other orders of
 * the batch; when all failed and the shard is not yet pausing, it depends on
 * whether the origin's breaker admits traffic (`ask`); otherwise no.
 */
export function blameOrders(verdicts: DeliveryVerdict[], streak: number): boolean | "ask" {
  const failedOnly = verdicts.every((verdict) => verdict.kind === "retry");
  if (!failedOnly) return true;
  return streak < DOWN_STREAK ? "ask" : false;
}

/** When the object must next wake up: due orders (not before the pause ends), expiring leases, old rows to delete. */
export function nextWake(
  times: { due: number | null; lease: number | null; finished: number | null },
  pausedUntil: number,
): number | null {
  const { due, lease, finished } = times;
  const wakes: number[] = [];
  if (due !== null) wakes.push(Math.max(due, pausedUntil));
  if (lease !== null) wakes.push(lease);
  if (finished !== null) wakes.push(finished + RETENTION_MS);
  return wakes.length > 0 ? Math.min(...wakes) : null;
}

/** Whether an operator may move this order: any not yet delivered, except while an attempt is out. */
export function operatorMove(
  state: OrderState | null,
): { outcome: "moved"; from: OrderState } | Exclude<OrderAction, { outcome: "done" }> {
  if (state === null) return { outcome: "not_found" };
  if (state === "delivering") return { outcome: "in_flight", state };
  if (state === "delivered" || state === "discarded") return { outcome: "finished", state };
  return { outcome: "moved", from: state };
}
