import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

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

/**
 * One counter per shop, route bucket and client. The count lives in memory
 * on purpose: an object is only evicted after it has been idle for longer than
 * a window, when the count would have expired anyway, and a rate limiter
 * that writes to disk on every request would cost more than it protects.
 */
export class RateLimitCounter extends DurableObject<Env> {
  #window: Window | undefined;

  take(limit: number, windowMs: number, want: number, now = Date.now()): Grant {
    const { window, grant } = takeRequests(this.#window, limit, windowMs, want, now);
    this.#window = window;
    return grant;
  }
}
