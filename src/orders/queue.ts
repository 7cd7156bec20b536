import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { problem, type StayopenError } from "../http/errors";
import { log } from "../log";
import { bodyKind, type BodyKind } from "../http/body";
import { scanOrderBody } from "../http/card-scan";
import {
  DOUBLE_SUBMIT_WINDOW_MS,
  derivedIdempotencyKey,
  isValidIdempotencyKey,
  requestFingerprint,
  submissionHash,
} from "./keys";
import { summarizeOrder } from "./summary";
import { newReference, shardFor, shardName, shardOfReference, statusUrl } from "./reference";
import {
  ORDER_STATES,
  type OrderAction,
  type DeliverySettings,
  type NewOrder,
  type OrderState,
  type OrderView,
  type QueuedOrder,
  type ShardOrderView,
} from "./types";

/**
 * The order queue as the rest of the worker sees it. One shop's queue is
 * ORDER_SHARDS Durable Objects (`<shop>:orders:<n>`): one object takes roughly
 * a thousand writes a second, sixteen leave room for the 2,000+ orders a second
 * a flash sale during an outage can bring. An order's shard is a hash of its
 * dedupe key, so duplicates always meet in the same shard; its reference names
 * the shard, so a lookup is one call.
 */

export type EnqueueOptions = {
  /** Who posted a keyless browser form (see `formSubmitter`): only such duplicates are merged, within one submitter. */
  submitter?: string;
  /** The Idempotency-Key already sent to the origin for this order, so a replay carries the same one. */
  wireKey?: string;
  /**
   * The caller already refused card data in everything a client sent (order
   * intake scans the request before forwarding it; the edge checkout scans
   * what the shopper typed, the rest of its order being the shop's own feed).
   */
  cardDataChecked?: boolean;
  /** The shopper's session cookies (see `sessionCookies`), replayed with the order; absent for a guest order. */
  session?: string;
};

/** One shard of a shop's order queue: the one way to reach an OrderQueue. */
export function orderShard(env: Env, shopId: string, index: number) {
  return env.ORDER_QUEUE.getByName(shardName(shopId, index));
}

function shard(env: Env, shop: Shop, index: number) {
  return orderShard(env, shop.id, index);
}

function shardIndexes(shop: Shop): number[] {
  return Array.from({ length: shop.config.orderQueue.shards }, (_, index) => index);
}

function deliverySettings(shop: Shop): DeliverySettings {
  const { originUrl, originTimeoutMs, orderQueue, backupOrigins } = shop.config;
  return {
    shop: shop.id,
    originUrl,
    orderBackups: backupOrigins.filter((backup) => backup.orders).map((backup) => backup.url),
    originTimeoutMs,
    retryBaseMs: orderQueue.retryBaseMs,
    retryMaxMs: orderQueue.retryMaxMs,
    maxInFlight: orderQueue.replayConcurrency,
    maxAttempts: orderQueue.maxAttempts,
    maxRetryMs: orderQueue.maxRetryMs,
  };
}

function fromShard(view: ShardOrderView): OrderView {
  return { ...view, meta: view.meta === null ? null : (JSON.parse(view.meta) as Record<string, unknown>) };
}

function refuseUnstorable(order: NewOrder, options: EnqueueOptions): void {
  const kind = bodyKind(order.contentType);
  if (!kind)
    throw problem(
      "unsupported_media_type",
      "Orders are held as application/json or application/x-www-form-urlencoded.",
    );
  if (!["POST", "PUT", "PATCH"].includes(order.method) || !order.path.startsWith("/")) {
    throw problem("invalid_order");
  }
  if (order.idempotencyKey !== undefined && !isValidIdempotencyKey(order.idempotencyKey)) {
    throw problem("invalid_idempotency_key");
  }
  if (!options.cardDataChecked) refuseCardData(order, kind);
}

/**
 * 422 for card-number-like values anywhere an order is kept (body, meta, and
 * the query string that is part of its path), on every order route whether
 * the origin is up or not: the edge never stores card data, and the contract
 * refuses such bodies outright rather than only the ones it would have to hold.
 * A part that cannot be scanned to its end is refused too, never waved through.
 */
export function refuseCardData(order: NewOrder, kind: BodyKind): void {
  const query = order.path.includes("?") ? order.path.slice(order.path.indexOf("?") + 1) : "";
  const scans = [
    scanOrderBody(order.body, kind),
    query === "" ? "clean" : scanOrderBody(query, "form"),
    order.meta === undefined ? "clean" : scanOrderBody(JSON.stringify(order.meta), "json"),
  ];
  if (scans.includes("card")) throw cardDataRefused();
  if (scans.includes("unscannable")) {
    log("warn", "order_card_scan_failed", { path: order.path.split("?")[0], contentType: order.contentType });
    throw problem("card_scan_failed");
  }
}

function keyReused(): StayopenError {
  return problem("idempotency_key_reused");
}

/**
 * The order the edge queued earlier under this client's Idempotency-Key, if
 * any (one lookup in the key's shard): the same request again gets that
 * order; another request under the key is a 422, as while the origin is down.
 * Null for a key the edge never queued, which the origin dedupes itself.
 */
export async function earlierOrder(env: Env, shop: Shop, order: NewOrder): Promise<QueuedOrder | null> {
  if (order.idempotencyKey === undefined) return null;
  const dedupeKey = `key:${order.idempotencyKey}`;
  const index = await shardFor(dedupeKey, shop.config.orderQueue.shards);
  const known = await shard(env, shop, index).known({
    dedupeKey,
    fingerprint: await requestFingerprint(order),
    contentType: order.contentType,
  });
  if (known === null) return null;
  if (known.outcome === "conflict") throw keyReused();
  return { reference: known.reference, statusUrl: statusUrl(known.reference), created: false };
}

/**
 * The wire Idempotency-Key of a browser's keyless form submission: the one
 * the same submission (same submitter, same request) got within
 * DOUBLE_SUBMIT_WINDOW_MS, kept by the shard its dedupe key names, so a double
 * click is one order at a healthy origin too. When the shard cannot be asked,
 * a key derived from the submission and the current minute.
 */
export async function submissionWireKey(env: Env, shop: Shop, submission: string, now = Date.now()): Promise<string> {
  const dedupeKey = `submission:${submission}`;
  const derived = await derivedIdempotencyKey(submission, now);
  try {
    const index = await shardFor(dedupeKey, shop.config.orderQueue.shards);
    return await shard(env, shop, index).submissionKey(dedupeKey, derived, DOUBLE_SUBMIT_WINDOW_MS);
  } catch (error) {
    log("warn", "order_submission_key_unknown", { shop: shop.id, error: String(error) });
    return derived;
  }
}

export function cardDataRefused(): StayopenError {
  return problem("card_data_refused");
}

/**
 * Holds an order durably at the edge for replay to the origin. Resolves once
 * it is stored (or found: `created: false` for a duplicate). Throws a
 * StayopenError for anything the edge must not hold: 422 card data or a
 * reused Idempotency-Key with a different request, 415/400 for malformed input.
 */
export async function enqueueOrder(
  env: Env,
  shop: Shop,
  order: NewOrder,
  options: EnqueueOptions = {},
): Promise<QueuedOrder> {
  refuseUnstorable(order, options);
  const wireKey = order.idempotencyKey ?? options.wireKey ?? `stayopen-${crypto.randomUUID()}`;
  const fingerprint = await requestFingerprint(order);
  // Duplicates meet in the shard of their dedupe key. Orders that are never merged still go by content:
  // identical ones queue in one shard, in the order they came.
  const dedupe = order.idempotencyKey
    ? { key: `key:${order.idempotencyKey}`, windowMs: null }
    : options.submitter !== undefined
      ? { key: `submission:${await submissionHash(order, options.submitter)}`, windowMs: DOUBLE_SUBMIT_WINDOW_MS }
      : { key: `once:${wireKey}`, windowMs: null, shardBy: fingerprint };
  const index = await shardFor(dedupe.shardBy ?? dedupe.key, shop.config.orderQueue.shards);
  const result = await shard(env, shop, index).enqueue(
    {
      reference: newReference(index),
      dedupeKey: dedupe.key,
      dedupeWindowMs: dedupe.windowMs,
      fingerprint,
      idempotencyKey: wireKey,
      method: order.method,
      path: order.path,
      contentType: order.contentType,
      body: order.body,
      // What was ordered, kept for the shopper's status page: the body itself is dropped on delivery.
      meta: JSON.stringify({ ...order.meta, summary: summarizeOrder(order.contentType, order.body) }),
      session: options.session ?? null,
    },
    deliverySettings(shop),
  );
  if (result.outcome === "conflict") throw keyReused();
  // The shopper who just queued an order may look at the status page next: this isolate counts afresh.
  if (result.outcome === "created") publicCounts.get(env)?.delete(shop.id);
  return { reference: result.reference, statusUrl: statusUrl(result.reference), created: result.outcome === "created" };
}

/** The order behind a reference, or null for a malformed or unknown one (callers answer both alike). */
export async function getOrder(env: Env, shop: Shop, reference: string): Promise<OrderView | null> {
  const index = shardOfReference(reference, shop.config.orderQueue.shards);
  if (index === null) return null;
  const view = await shard(env, shop, index).find(reference);
  return view && fromShard(view);
}

export async function queueDepth(env: Env, shop: Shop): Promise<Record<OrderState, number>> {
  const depths = await Promise.all(shardIndexes(shop).map((index) => shard(env, shop, index).depth()));
  const total = Object.fromEntries(ORDER_STATES.map((state) => [state, 0])) as Record<OrderState, number>;
  for (const depth of depths) for (const state of ORDER_STATES) total[state] += depth[state];
  return total;
}

/** Every shard replays now, without waiting out backoffs. */
export async function drainNow(env: Env, shop: Shop): Promise<void> {
  const settings = deliverySettings(shop);
  await Promise.all(shardIndexes(shop).map((index) => shard(env, shop, index).drain(settings)));
}

/** Orders in one state across all shards, newest first. */
export async function listOrders(env: Env, shop: Shop, state: OrderState, limit: number): Promise<OrderView[]> {
  const lists = await Promise.all(shardIndexes(shop).map((index) => shard(env, shop, index).list(state, limit)));
  return lists
    .flat()
    .map(fromShard)
    .sort((a, b) =>
      a.queuedAt === b.queuedAt ? a.reference.localeCompare(b.reference) : a.queuedAt < b.queuedAt ? 1 : -1,
    )
    .slice(0, limit);
}

export async function retryOrder(env: Env, shop: Shop, reference: string): Promise<OrderAction> {
  const index = shardOfReference(reference, shop.config.orderQueue.shards);
  return index === null ? { outcome: "not_found" } : shard(env, shop, index).retry(reference);
}

export async function discardOrder(env: Env, shop: Shop, reference: string): Promise<OrderAction> {
  const index = shardOfReference(reference, shop.config.orderQueue.shards);
  return index === null ? { outcome: "not_found" } : shard(env, shop, index).discard(reference);
}

const PUBLIC_COUNT_TTL_MS = 5_000;
const publicCounts = new WeakMap<Env, Map<string, { at: number; count: number }>>();

/**
 * Orders still waiting for the origin (queued + delivering), for the public
 * status page. Cached in the isolate for a few seconds so a crowd refreshing
 * the status page during an outage does not compete with order writes.
 */
export async function waitingOrderCount(env: Env, shop: Shop, now = Date.now()): Promise<number> {
  let byShop = publicCounts.get(env);
  if (!byShop) publicCounts.set(env, (byShop = new Map()));
  const cached = byShop.get(shop.id);
  if (cached && now - cached.at < PUBLIC_COUNT_TTL_MS) return cached.count;
  const depth = await queueDepth(env, shop);
  const count = depth.queued + depth.delivering;
  byShop.set(shop.id, { at: now, count });
  return count;
}

/**
 * An origin that takes orders is back and maybe no shopper is around: every
 * shard stops waiting out its backoff now, with the settings it keeps.
 */
export async function wakeQueueShards(env: Env, shopId: string, shards: number): Promise<void> {
  const woken = Array.from({ length: shards }, (_, index) => orderShard(env, shopId, index).drain());
  const failed = (await Promise.allSettled(woken)).filter((result) => result.status === "rejected").length;
  if (failed > 0) throw new Error(`${failed} of ${shards} queue shards did not wake`);
}
