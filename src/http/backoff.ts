/**
 * The one backoff: when to try a failed call again, for order replay, the
 * recovery and incident webhooks and Stripe alike. Exponential with jitter
 * above a floor (a random point in the window), so calls that failed together
 * do not all come back at the same instant. The window after `failures`
 * failed attempts is [base, min(max, base·2^failures)]; the floor keeps a
 * caller from hammering a service that is still down.
 */

export type BackoffPolicy = { baseMs: number; maxMs: number };

/** The largest delay the window can produce after `failures` failed attempts. */
export function backoffCeilingMs(failures: number, policy: BackoffPolicy): number {
  return Math.max(policy.baseMs, Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures, 32)));
}

export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(failures, policy);
  return Math.round(policy.baseMs + random() * (ceiling - policy.baseMs));
}

/** An origin that asks for more than this is still retried after an hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** A Retry-After header (delay in seconds, or an HTTP date) as milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}
