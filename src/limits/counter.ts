import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export type Hit = { allowed: true; remaining: number } | { allowed: false; retryAfterS: number };

/** A fixed window: `limit` hits per `windowMs`; the window starts at the first hit. Pure, for tests and the object below. */
export type Window = { startedAt: number; count: number };

export function countHit(
  window: Window | undefined,
  limit: number,
  windowMs: number,
  now: number,
): { window: Window; hit: Hit } {
  const current = window && now - window.startedAt < windowMs ? window : { startedAt: now, count: 0 };
  if (current.count >= limit) {
    return {
      window: current,
      hit: { allowed: false, retryAfterS: Math.max(1, Math.ceil((current.startedAt + windowMs - now) / 1000)) },
    };
  }
  const next = { startedAt: current.startedAt, count: current.count + 1 };
  return { window: next, hit: { allowed: true, remaining: limit - next.count } };
}

/**
 * One counter per shop, route bucket and client. The count lives in memory
 * on purpose: an object is only evicted after it has been idle for longer than
 * a window, when the count would have expired anyway, and a rate limiter
 * that writes to disk on every request would cost more than it protects.
 */
export class RateLimitCounter extends DurableObject<Env> {
  #window: Window | undefined;

  hit(limit: number, windowMs: number, now = Date.now()): Hit {
    const { window, hit } = countHit(this.#window, limit, windowMs, now);
    this.#window = window;
    return hit;
  }
}
