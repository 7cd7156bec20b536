import { fetchWithDeadline } from "../origin/fetch";
import { webhookHeaders } from "./signature";
import type { DeliveryOutcome } from "./verdict";

/** A queued order as the shard hands it to delivery. */
export type Delivery = {
  reference: string;
  idempotencyKey: string;
  method: string;
  path: string;
  contentType: string;
  body: string;
  queuedAt: number;
};

/**
 * The order as the shopper sent it (method, path, body, content type) plus
 * what lets the origin take it exactly once and trust it: the same
 * Idempotency-Key on every attempt, the reference, when it was queued, and
 * a Standard Webhooks signature when REPLAY_SECRET is set.
 */
async function replayRequest(
  order: Delivery,
  originUrl: string,
  secret: string | undefined,
  now: number,
): Promise<Request> {
  const headers = new Headers({
    "content-type": order.contentType,
    "idempotency-key": order.idempotencyKey,
    "x-stayopen-reference": order.reference,
    "x-stayopen-queued-at": new Date(order.queuedAt).toISOString(),
    "user-agent": "stayopen-replay",
  });
  if (secret)
    for (const [name, value] of Object.entries(await webhookHeaders(secret, order.reference, order.body, now)))
      headers.set(name, value);
  return new Request(`${originUrl}${order.path}`, { method: order.method, headers, body: order.body });
}

/** One attempt; never throws. Only the status matters, so the body is released unread. */
export async function deliver(
  order: Delivery,
  originUrl: string,
  timeoutMs: number,
  secret: string | undefined,
): Promise<DeliveryOutcome> {
  const attempt = await fetchWithDeadline(await replayRequest(order, originUrl, secret, Date.now()), timeoutMs);
  if (attempt.kind === "error") return { kind: "error", reason: attempt.reason };
  // The status has been read; a body cut off afterwards changes nothing.
  await attempt.response.body?.cancel().catch(() => undefined);
  return { kind: "response", status: attempt.response.status, retryAfter: attempt.response.headers.get("retry-after") };
}
