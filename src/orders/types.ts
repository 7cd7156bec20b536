/** The order queue's vocabulary, shared by the worker side and the Durable Object. */

/**
 * `dead`: the origin refused the order (a 4xx); `needs_attention`: it kept failing in a way a retry
 * could fix (5xx, timeouts) for ORDER_MAX_ATTEMPTS tries or ORDER_MAX_RETRY_HOURS. Neither is sent
 * again until an operator retries it.
 */
export const ORDER_STATES = ["queued", "delivering", "delivered", "dead", "needs_attention", "discarded"] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export function isOrderState(value: string): value is OrderState {
  return (ORDER_STATES as readonly string[]).includes(value);
}

/** An order to hold at the edge. `meta` is opaque JSON kept with it (never card data). */
export type NewOrder = {
  method: "POST" | "PUT" | "PATCH";
  path: string;
  contentType: string;
  body: string;
  idempotencyKey?: string;
  meta?: Record<string, unknown>;
};

export type QueuedOrder = { reference: string; statusUrl: string; created: boolean };

/** One order as the queue reports it; bodies are left out except where an operator needs them. */
export type OrderView = {
  reference: string;
  state: OrderState;
  method: string;
  path: string;
  contentType: string;
  attempts: number;
  lastError: string | null;
  /** The origin's last answer to a failed attempt (status, start of the body), for the operator. */
  lastAnswer: LastAnswer | null;
  queuedAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  updatedAt: string;
  meta: Record<string, unknown> | null;
  body?: string;
};

export type LastAnswer = { status: number; excerpt: string };

/** An order view as it crosses the RPC boundary from a shard: `meta` still as its JSON text. */
export type ShardOrderView = Omit<OrderView, "meta"> & { meta: string | null };

/**
 * What a shard needs to replay without a request in hand. The worker resolves
 * the shop's configuration and hands it over with every enqueue and drain;
 * the shard keeps the latest. Secrets stay in the environment.
 */
export type DeliverySettings = {
  shop: string;
  originUrl: string;
  /** Backup origins with `"orders": true`, in order: replays go to one while the primary's breaker is open. */
  orderBackups: string[];
  originTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxInFlight: number;
  /** Retryable failures (while the origin takes other orders) before an order needs attention. */
  maxAttempts: number;
  /** How long after it was queued an order that still fails retryably needs attention. */
  maxRetryMs: number;
};

/** What the worker sends a shard to store (keys and hashes already worked out). */
export type ShardOrder = {
  reference: string;
  /** Same dedupe key (within the window, when there is one) → the same order. */
  dedupeKey: string;
  dedupeWindowMs: number | null;
  fingerprint: string;
  idempotencyKey: string;
  method: string;
  path: string;
  contentType: string;
  body: string;
  meta: string | null;
  /** The shopper's session cookies (`name=value; …`), replayed as `Cookie`; the shard stores them encrypted. */
  session: string | null;
};

export type EnqueueResult = { outcome: "created" | "existing"; reference: string } | { outcome: "conflict" };

/**
 * The result of an operator's retry or discard, which act on any order not yet
 * delivered: `in_flight` while an attempt is out (its outcome is not known
 * yet), `finished` for one delivered or discarded.
 */
export type OrderAction =
  | { outcome: "done"; state: OrderState }
  | { outcome: "not_found" }
  | { outcome: "in_flight"; state: OrderState }
  | { outcome: "finished"; state: OrderState };
