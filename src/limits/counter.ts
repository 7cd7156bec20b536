import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";

/** What the counter hands out: some of the window's requests, or how long until the window ends. */
export type Grant = { allowed: true; granted: number; resetInMs: number } | { allowed: false; resetInMs: number };

/** A fixed window: `limit` requests per `windowMs`; the window starts at the first request. */
export type Window = { startedAt: number; count: number };

/**
 * Takes up to `want` (at least 1) of the window's remaining requests. Pure,
 * for tests and the object below; whatever is granted counts as used, so the
 * limit holds however the grants are spent.
 */
export function takeRequests(
  window: Window | undefined,
  limit: number,
  windowMs: number,
  want: number,
  now: number,
): { window: Window; grant: Grant } {
  const current = window && now - window.startedAt < windowMs ? window : { startedAt: now, count: 0 };
  const resetInMs = current.startedAt + windowMs - now;
  const granted = Math.min(Math.max(1, want), limit - current.count);
  if (granted <= 0) return { window: current, grant: { allowed: false, resetInMs } };
  return {
    window: { startedAt: current.startedAt, count: current.count + granted },
    grant: { allowed: true, granted, resetInMs },
  };
}

/** Counter objects per shop and route bucket; clients are spread over them by a hash of their address. */
export const COUNTER_SHARDS = 16;

/**
 * Which counter object counts a client (FNV-1a). Shards rather than an object
 * per client: a flash sale's shoppers each send one order, and a new object for
 * every one of them would cost more than the order itself.
 */
export function counterShard(client: string, shards = COUNTER_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < client.length; i++) hash = Math.imul(hash ^ client.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

/** The one way to reach the RateLimitCounter that counts `client` for a shop's route bucket. */
export function rateLimitCounter(env: Env, shopId: string, bucket: string, client: string) {
  return env.RATE_LIMITER.getByName(JSON.stringify([shopId, bucket, counterShard(client)]));
}

/** How often a counter drops the windows that have ended. */
const PRUNE_EVERY_MS = 1_000;

/**
 * One shard of a shop's counters for one route bucket: a window per client.
 * The counts live in memory on purpose: an object is only evicted after it
 * has been idle for longer than a window, when the counts would have expired
 * anyway, and a rate limiter that writes to disk on every request would cost
 * more than it protects. Ended windows are dropped, so memory follows the
 * clients of the last minute.
 */
export class RateLimitCounter extends DurableObject<Env> {
  readonly #windows = new Map<string, Window>();
  #prunedAt = 0;

  take(client: string, limit: number, windowMs: number, want: number, now = Date.now()): Grant {
    this.#prune(windowMs, now);
    const { window, grant } = takeRequests(this.#windows.get(client), limit, windowMs, want, now);
    this.#windows.set(client, window);
    return grant;
  }

  #prune(windowMs: number, now: number): void {
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    for (const [client, window] of this.#windows) if (now - window.startedAt >= windowMs) this.#windows.delete(client);
  }
}
