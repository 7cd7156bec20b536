import { fetchWithDeadline } from "../origin/fetch";
import { webhookHeaders } from "../http/signature";
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
  /** The shopper's session cookies (`name=value; …`), opened by the shard just before sending; null for a guest order. */
  session: string | null;
};

/** How much of a failed answer's body is kept for the operator, and how long reading it may take. */
const EXCERPT_BYTES = 300;
const EXCERPT_WAIT_MS = 1_000;

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
  // The origin authenticates the shopper as it would have live; the signature below says only that stayopen relayed it.
  if (order.session) headers.set("cookie", order.session);
  if (secret)
    for (const [name, value] of Object.entries(await webhookHeaders(secret, order.reference, order.body, now)))
      headers.set(name, value);
  return new Request(`${originUrl}${order.path}`, { method: order.method, headers, body: order.body });
}

/**
 * The start of a failed answer's body as one line of text, so the operator
 * sees why (EverShop, for one, answers a validation error with a 500). Bounded
 * in size and time; whatever cannot be read in time is left out.
 */
async function excerpt(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const timer = setTimeout(() => void reader.cancel().catch(() => undefined), EXCERPT_WAIT_MS);
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // Cut off or too slow: what arrived is enough.
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder()
    .decode(bytes.slice(0, EXCERPT_BYTES))
    .replace(/[\u0000-\u001f\u007f\ufffd]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** One attempt; never throws. A delivered order's answer is released unread; a failed one's start is kept. */
export async function deliver(
  order: Delivery,
  originUrl: string,
  timeoutMs: number,
  secret: string | undefined,
): Promise<DeliveryOutcome> {
  const attempt = await fetchWithDeadline(await replayRequest(order, originUrl, secret, Date.now()), timeoutMs);
  if (attempt.kind === "error") return { kind: "error", reason: attempt.reason };
  const { status, headers, body } = attempt.response;
  // The status has been read; a body cut off afterwards changes nothing.
  const delivered = (status >= 200 && status < 300) || status === 409;
  const text = delivered ? (await body?.cancel().catch(() => undefined), "") : await excerpt(body);
  return { kind: "response", status, retryAfter: headers.get("retry-after"), excerpt: text };
}
