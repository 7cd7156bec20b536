import type { Env } from "../config/env";
import { log } from "../log";

/**
 * Counters as every isolate sees them, summed for the whole deployment by the
 * Metrics Durable Object. Counting is a map update in memory; the buffer goes
 * to the Durable Object in one batch at most every FLUSH_EVERY_MS, from
 * ctx.waitUntil, so no request ever waits on it.
 */

export const COUNTERS = {
  requests: "Responses by where they came from (X-Stayopen-Source).",
  snapshot_hits:
    "Snapshots served: fresh or revalidating copies while healthy, stale copies (or the static export) during an outage.",
  snapshot_misses: "Outage fallbacks without a servable snapshot: missing, or older than stale-if-error allows.",
  snapshot_stores: "Snapshot writes by result.",
  snapshot_refusals: "Pages not stored, by the rule that stopped them (set_cookie:sid, private, vary:cookie …).",
  collapsed_requests: "Requests answered by another request's origin fetch instead of their own.",
  prewarm_pages: "Pages fetched by the cron pre-warm, by result.",
  breaker_transitions: "Circuit breaker state changes, by the state entered.",
  replay_outcomes: "Queued order deliveries to the origin, by outcome.",
  order_transitions:
    "Queued orders leaving the normal path: needs_attention at a retry cap, and operator retries and discards.",
} as const;

export type CounterName = keyof typeof COUNTERS;
export type Labels = Record<string, string>;
/** One counter series of one shop: labels as canonical JSON, so equal label sets add up. */
export type CounterDelta = { name: CounterName; labels: string; value: number };

export const FLUSH_EVERY_MS = 10_000;

type Buffer = { pending: Map<string, { shopId: string; delta: CounterDelta }>; lastFlush: number };

/** One buffer per env object, which is one per isolate in production (and one per simulated isolate in tests). */
const buffers = new WeakMap<object, Buffer>();

function bufferFor(env: Env): Buffer {
  let buffer = buffers.get(env);
  if (!buffer) {
    buffer = { pending: new Map(), lastFlush: 0 };
    buffers.set(env, buffer);
  }
  return buffer;
}

/** The labels as JSON with their names in sorted order, so one series always has one key. */
export function canonicalLabels(labels: Labels): string {
  return JSON.stringify(labels, Object.keys(labels).sort());
}

export function count(env: Env, shopId: string, name: CounterName, labels: Labels = {}, by = 1): void {
  countSeries(env, shopId, name, canonicalLabels(labels), by);
}

/** count() with the labels already canonical, for the per-request counter. */
export function countSeries(env: Env, shopId: string, name: CounterName, series: string, by = 1): void {
  const key = `${shopId}\n${name}\n${series}`;
  const pending = bufferFor(env).pending;
  const known = pending.get(key);
  if (known) known.delta.value += by;
  else pending.set(key, { shopId, delta: { name, labels: series, value: by } });
}

/** The batch to send now, or null while the last flush is recent or nothing was counted. */
export function flushIfDue(env: Env, now = Date.now()): Promise<void> | null {
  const buffer = bufferFor(env);
  if (buffer.pending.size === 0 || now - buffer.lastFlush < FLUSH_EVERY_MS) return null;
  return flushMetrics(env, now);
}

/** Sends everything counted so far; on failure the counts go back into the buffer for the next flush. */
export async function flushMetrics(env: Env, now = Date.now()): Promise<void> {
  const buffer = bufferFor(env);
  buffer.lastFlush = now;
  if (buffer.pending.size === 0) return;
  const batch = buffer.pending;
  buffer.pending = new Map();
  const byShop = new Map<string, CounterDelta[]>();
  for (const { shopId, delta } of batch.values()) {
    const deltas = byShop.get(shopId);
    if (deltas) deltas.push(delta);
    else byShop.set(shopId, [delta]);
  }
  await Promise.all(
    [...byShop].map(async ([shopId, deltas]) => {
      try {
        await metricsStub(env, shopId).add(deltas);
      } catch (error) {
        for (const delta of deltas) count(env, shopId, delta.name, JSON.parse(delta.labels) as Labels, delta.value);
        log("warn", "metrics_flush_failed", { shop: shopId, series: deltas.length, error: String(error) });
      }
    }),
  );
}

export function metricsStub(env: Env, shopId: string) {
  return env.METRICS.getByName(shopId);
}

/** A breaker's change of state, counted and sent at once: transitions are rare and a monitor may be evicted before the next. */
export async function countBreakerTransition(env: Env, shopId: string, labels: Labels): Promise<void> {
  count(env, shopId, "breaker_transitions", labels);
  await flushMetrics(env);
}
