import { retryAfterMs } from "../http/backoff";
import type { LastAnswer } from "./types";

/** What one replay attempt got back from the origin. */
export type DeliveryOutcome =
  { kind: "response"; status: number; retryAfter: string | null; excerpt: string } | { kind: "error"; reason: string };

export type DeliveryVerdict =
  /** The origin has the order (2xx), or already had it (409). */
  | { kind: "delivered" }
  /** The origin refused the order itself; retrying cannot help, an operator must look. */
  | { kind: "dead"; error: string; answer: LastAnswer }
  /** The origin could not take it now; try again later (not before `retryAfterMs` when given). */
  | { kind: "retry"; error: string; retryAfterMs: number | null; answer: LastAnswer | null };

/**
 * The replay rules from the contract: 2xx or 409 → delivered; 408, 429, 5xx
 * and network trouble → retry; any other answer → dead letter. A redirect is
 * not taken as success: the queue never assumes an order arrived.
 */
export function deliveryVerdict(outcome: DeliveryOutcome, now: number): DeliveryVerdict {
  if (outcome.kind === "error") return { kind: "retry", error: outcome.reason, retryAfterMs: null, answer: null };
  const { status } = outcome;
  const answer = { status, excerpt: outcome.excerpt };
  const error = `status_${status}`;
  if ((status >= 200 && status < 300) || status === 409) return { kind: "delivered" };
  if (status === 429 || status === 503)
    return { kind: "retry", error, retryAfterMs: retryAfterMs(outcome.retryAfter, now), answer };
  if (status === 408 || status >= 500) return { kind: "retry", error, retryAfterMs: null, answer };
  return { kind: "dead", error, answer };
}
