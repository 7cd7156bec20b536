import { describe, expect, it } from "vitest";
import { backoffCeilingMs } from "../../src/http/backoff";
import {
  backoffPolicy,
  blameOrders,
  nextBatch,
  nextWake,
  operatorMove,
  paceAfterBatch,
  RETENTION_MS,
  retryStep,
  type Pace,
} from "../../src/orders/replay-policy";
import type { DeliverySettings } from "../../src/orders/types";
import type { DeliveryVerdict } from "../../src/orders/verdict";

const HOUR = 3_600_000;
const settings: DeliverySettings = {
  shop: "shop.test",
  originUrl: "https://origin.test",
  orderBackups: [],
  originTimeoutMs: 5_000,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  maxInFlight: 8,
  maxAttempts: 3,
  maxRetryMs: 24 * HOUR,
};
const policy = backoffPolicy(settings);
const now = 1_800_000_000_000;

const delivered: DeliveryVerdict = { kind: "delivered" };
const timeout = { kind: "retry", error: "timeout", retryAfterMs: null, answer: null } as const;
const busy = (retryAfterMs: number | null) =>
  ({ kind: "retry", error: "status_503", retryAfterMs, answer: { status: 503, excerpt: "busy" } }) as const;
const refused: DeliveryVerdict = { kind: "dead", error: "status_422", answer: { status: 422, excerpt: "no" } };

const fresh: Pace = { inFlight: 1, failures: 0, failedSeq: null, pausedUntil: 0 };

describe("replay policy: a failed order", () => {
  const order = { attempts: 2, strikes: 0, queuedAt: now - HOUR };

  it("waits out its own backoff window and stays queued", () => {
    const step = retryStep(order, timeout, now, settings, policy, true);
    expect(step).toMatchObject({ state: "queued", strikes: 1, cause: null });
    expect(step.delayMs).toBeGreaterThanOrEqual(settings.retryBaseMs);
    expect(step.delayMs).toBeLessThanOrEqual(backoffCeilingMs(order.attempts, policy));
    expect(step.nextAttemptAt).toBe(now + step.delayMs);
  });

  it("waits for the origin's Retry-After when it is longer than the backoff", () => {
    const step = retryStep(order, busy(10 * 60_000), now, settings, policy, true);
    expect(step.delayMs).toBe(10 * 60_000);
    expect(step.nextAttemptAt).toBe(now + 10 * 60_000);
  });

  it("is not blamed while the origin seems down: an outage never uses up its attempts", () => {
    const step = retryStep({ ...order, strikes: 2 }, timeout, now, settings, policy, false);
    expect(step).toMatchObject({ state: "queued", strikes: 2, cause: null });
  });

  it("needs attention after ORDER_MAX_ATTEMPTS failures while the origin takes other orders", () => {
    const step = retryStep({ ...order, strikes: 2 }, busy(null), now, settings, policy, true);
    expect(step).toMatchObject({ state: "needs_attention", strikes: 3, cause: "max_attempts" });
  });

  it("needs attention ORDER_MAX_RETRY_HOURS after it was queued, even while the origin is down", () => {
    const old = { ...order, queuedAt: now - settings.maxRetryMs };
    expect(retryStep(old, timeout, now, settings, policy, false)).toMatchObject({
      state: "needs_attention",
      strikes: 0,
      cause: "max_retry_hours",
    });
    expect(retryStep({ ...old, queuedAt: old.queuedAt + 1 }, timeout, now, settings, policy, false).state).toBe(
      "queued",
    );
  });

  it("uses the default caps (10 attempts, 72 hours) for settings an older version kept", () => {
    const { maxAttempts: _attempts, maxRetryMs: _hours, ...older } = settings;
    const legacy = older as DeliverySettings;
    expect(retryStep({ ...order, strikes: 8 }, timeout, now, legacy, policy, true).state).toBe("queued");
    expect(retryStep({ ...order, strikes: 9 }, timeout, now, legacy, policy, true).cause).toBe("max_attempts");
    expect(retryStep({ ...order, queuedAt: now - 71 * HOUR }, timeout, now, legacy, policy, false).state).toBe(
      "queued",
    );
    expect(retryStep({ ...order, queuedAt: now - 72 * HOUR }, timeout, now, legacy, policy, false).cause).toBe(
      "max_retry_hours",
    );
  });
});

describe("replay policy: the shard's pace", () => {
  it("doubles the replays in flight after a clean batch, up to ORDER_REPLAY_CONCURRENCY, and ends any pause", () => {
    const step = paceAfterBatch(
      { inFlight: 4, failures: 1, failedSeq: 7, pausedUntil: now - 1 },
      [{ seq: 8 }, { seq: 9 }],
      [delivered, delivered],
      now,
      settings,
      policy,
    );
    expect(step).toEqual({
      pace: { inFlight: 8, failures: 0, failedSeq: null, pausedUntil: 0 },
      streak: 0,
      pauseMs: null,
    });
    expect(
      paceAfterBatch({ ...fresh, inFlight: 8 }, [{ seq: 1 }], [delivered], now, settings, policy).pace.inFlight,
    ).toBe(8);
  });

  it("keeps its pace when the origin answered part of the batch: the failures are those orders' own", () => {
    const step = paceAfterBatch(
      { inFlight: 4, failures: 1, failedSeq: 3, pausedUntil: 0 },
      [{ seq: 4 }, { seq: 5 }, { seq: 6 }],
      [delivered, timeout, refused],
      now,
      settings,
      policy,
    );
    expect(step).toEqual({
      pace: { inFlight: 4, failures: 0, failedSeq: null, pausedUntil: 0 },
      streak: 0,
      pauseMs: null,
    });
  });

  it("drops to one in flight when one order fails, without pausing", () => {
    const step = paceAfterBatch({ ...fresh, inFlight: 4 }, [{ seq: 5 }], [timeout], now, settings, policy);
    expect(step).toEqual({
      pace: { inFlight: 1, failures: 1, failedSeq: 5, pausedUntil: 0 },
      streak: 1,
      pauseMs: null,
    });
  });

  it("does not count the same order failing again as news about the origin", () => {
    const again = paceAfterBatch(
      { ...fresh, failures: 1, failedSeq: 5 },
      [{ seq: 5 }],
      [timeout],
      now,
      settings,
      policy,
    );
    expect(again).toMatchObject({ streak: 1, pauseMs: null });
  });

  it("pauses for a backoff once two different orders fail in a row with no answer in between", () => {
    const step = paceAfterBatch(
      { ...fresh, failures: 1, failedSeq: 5 },
      [{ seq: 6 }],
      [timeout],
      now,
      settings,
      policy,
    );
    expect(step.streak).toBe(2);
    expect(step.pauseMs).toBeGreaterThanOrEqual(settings.retryBaseMs);
    expect(step.pauseMs).toBeLessThanOrEqual(backoffCeilingMs(1, policy));
    expect(step.pace).toEqual({ inFlight: 1, failures: 2, failedSeq: 6, pausedUntil: now + step.pauseMs! });
  });

  it("pauses at least as long as the origin's Retry-After", () => {
    const step = paceAfterBatch(
      fresh,
      [{ seq: 1 }, { seq: 2 }],
      [busy(null), busy(30 * 60_000)],
      now,
      settings,
      policy,
    );
    expect(step.pauseMs).toBe(30 * 60_000);
    expect(step.pace.pausedUntil).toBe(now + 30 * 60_000);
  });

  it("claims no batch while paused, else min(in flight, cap) orders leased for twice the origin deadline and a margin", () => {
    expect(nextBatch({ ...fresh, pausedUntil: now + 1 }, settings, now)).toBeNull();
    expect(nextBatch({ ...fresh, inFlight: 16, pausedUntil: now }, settings, now)).toEqual({
      limit: 8,
      leaseUntil: now + 2 * settings.originTimeoutMs + 1_000,
    });
  });

  it("blames the orders when the origin answered others, asks the breaker when all failed, never once the shard pauses", () => {
    expect(blameOrders([delivered, timeout], 0)).toBe(true);
    expect(blameOrders([timeout], 1)).toBe("ask");
    expect(blameOrders([timeout, timeout], 2)).toBe(false);
  });
});

describe("replay policy: when the shard wakes", () => {
  const none = { due: null, lease: null, finished: null };

  it("sleeps when there is nothing left", () => {
    expect(nextWake(none, 0)).toBeNull();
  });

  it("wakes for the first due order, but not before the pause ends", () => {
    expect(nextWake({ ...none, due: now + 5 }, 0)).toBe(now + 5);
    expect(nextWake({ ...none, due: now + 5 }, now + 60_000)).toBe(now + 60_000);
  });

  it("wakes when a lease runs out, even while paused, and when a finished order is past retention", () => {
    expect(nextWake({ ...none, due: now + 5, lease: now + 1 }, now + 60_000)).toBe(now + 1);
    expect(nextWake({ ...none, finished: now - 10 }, 0)).toBe(now - 10 + RETENTION_MS);
  });
});

describe("replay policy: what an operator may move", () => {
  it("moves any order not yet delivered, except while an attempt is out", () => {
    expect(operatorMove(null)).toEqual({ outcome: "not_found" });
    expect(operatorMove("delivering")).toEqual({ outcome: "in_flight", state: "delivering" });
    expect(operatorMove("delivered")).toEqual({ outcome: "finished", state: "delivered" });
    expect(operatorMove("discarded")).toEqual({ outcome: "finished", state: "discarded" });
    for (const state of ["queued", "dead", "needs_attention"] as const)
      expect(operatorMove(state)).toEqual({ outcome: "moved", from: state });
  });
});
