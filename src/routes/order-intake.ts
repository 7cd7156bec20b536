import type { Context, Next } from "hono";
import type { AppEnv, Env } from "../config/env";
import { isStayopenError, problem } from "../http/errors";
import { withSource } from "../http/source";
import { rateLimitRefusal } from "./rate-limit";
import { log } from "../log";
import { isForcedDown } from "../control/forced";
import { callOrigin } from "../origin/call";
import { callInOrder, nothingSent, orderOrigins, sourceOf } from "../origin/failover";
import { originHealth } from "../origin/health";
import { originHooks } from "../origin/hooks";
import { orderAcceptedPage } from "../shopper/order-accepted";
import { bodyError, readBody, type Body } from "../http/body";
import { formSubmitter, isValidIdempotencyKey, submissionHash } from "../orders/keys";
import { earlierOrder, enqueueOrder, refuseCardData, submissionWireKey } from "../orders/queue";
import { sessionCookies } from "../orders/session";
import type { NewOrder, QueuedOrder } from "../orders/types";
import { orderReplyResponse } from "../orders/reply";
import { findOrderRoute, isOrderRoute } from "../orders/order-paths";
import { unavailableResponse } from "../outage/unavailable";

/** Shops this isolate queued orders for since it last saw their origin answer an order (one set per env object, i.e. per isolate). */
const queuedSinceRecovery = new WeakMap<Env, Set<string>>();

function queuedHere(env: Env): Set<string> {
  let shops = queuedSinceRecovery.get(env);
  if (!shops) queuedSinceRecovery.set(env, (shops = new Set()));
  return shops;
}

/**
 * Orders (ORDER_PATHS): checked first, then forwarded with an Idempotency-Key
 * to the first origin that takes orders: the primary, else a backup with
 * `"orders": true` (never another backup). An origin is passed over only when
 * the order surely did not reach it (breaker open, connection refused, DNS).
 * When no such origin answers, or an attempt failed in a way that leaves it
 * unknown whether the origin got it (timeout, reset, 5xx), the order is held
 * durably at the edge under the same key and the shopper gets 202 with a
 * reference. RATE_LIMIT_ORDERS_PER_MIN counts only the orders the edge holds
 * although no origin can have them: an answering origin limits its own API,
 * and an order an origin may already have is always held, never refused.
 */
export async function orderIntake(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  const shop = c.get("shop");
  const request = c.req.raw;
  const url = new URL(request.url);
  if (!isOrderRoute(shop.config.orderPaths, request.method, url.pathname)) return next();

  const clientKey = request.headers.get("idempotency-key") ?? undefined;
  if (clientKey !== undefined && !isValidIdempotencyKey(clientKey)) {
    throw problem("invalid_idempotency_key");
  }
  const rules = { maxBytes: shop.config.orderMaxBytes, maxDepth: shop.config.orderMaxDepth, required: true };
  const read = await readBody(request, rules);
  if (!read.ok) throw bodyError(read.problem, rules, "order body");

  const order: NewOrder = {
    method: request.method.toUpperCase() as NewOrder["method"],
    path: url.pathname + url.search,
    contentType: read.body.contentType,
    body: read.body.text,
    idempotencyKey: clientKey,
  };
  refuseCardData(order, read.body.kind);
  const submitter = clientKey === undefined ? formSubmitter(request, read.body.kind) : null;
  const wireKey =
    clientKey ??
    (submitter === null
      ? `stayopen-${crypto.randomUUID()}`
      : await submissionWireKey(c.env, shop, await submissionHash(order, submitter)));

  // While the operator forces maintenance, orders are held at the edge rather than sent to any origin.
  const forcedDown = isForcedDown(c);
  // A key the edge queued during an outage is answered from the queue after it too (the contract's
  // idempotency); only looked up when the order would go to an origin: the queue dedupes its own.
  if (clientKey !== undefined && !forcedDown && orderOrigins(shop).some((url) => originHealth(shop, url).admit())) {
    const earlier = await earlierOrder(c.env, shop, order);
    if (earlier) return accepted(c, earlier, read.body);
  }
  const call = forcedDown
    ? ({ kind: "skipped" } as const)
    : await callInOrder(
        orderOrigins(shop),
        (originUrl) =>
          callOrigin(shop, () => forwardable(request, read.body), originUrl, { "idempotency-key": wireKey }),
        nothingSent,
      );
  if (call.kind === "answered") {
    // An origin answers orders again: what this isolate queued goes now, not after its backoff.
    if (queuedHere(c.env).delete(shop.id)) {
      const cause = call.originUrl === shop.config.originUrl ? "origin_recovered" : "backup_answered";
      c.executionCtx.waitUntil(originHooks().welcomeBack(c.env, shop, cause));
    }
    return withSource(call.response, sourceOf(shop, call.originUrl));
  }
  // Only a real failed attempt is news; with the breaker open or maintenance forced, order_queued says it all.
  if (call.kind === "failed")
    log("warn", "order_forward_failed", { shop: shop.id, path: url.pathname, reason: call.reason });
  if (nothingSent(call)) {
    const refused = await rateLimitRefusal(c, "orders");
    if (refused) return refused;
  }

  let queued: QueuedOrder;
  try {
    queued = await enqueueOrder(c.env, shop, order, {
      submitter: submitter ?? undefined,
      wireKey,
      cardDataChecked: true,
      // Replayed as the shopper's session, so the origin knows who ordered as it would have live.
      session: sessionCookies(request.headers.get("cookie"), shop.config.sessionCookies) ?? undefined,
    });
  } catch (error) {
    if (isStayopenError(error)) throw error;
    // Nothing was stored: an honest 503 beats a 202 for an order that might not exist.
    log("error", "order_queue_failed", { shop: shop.id, path: url.pathname, error: String(error) });
    return unavailableResponse(c);
  }
  queuedHere(c.env).add(shop.id);
  return accepted(c, queued, read.body);
}

/** The buffered order as a request for the origin; the runtime sets the length of the new body. */
function forwardable(request: Request, body: Body): Request {
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return new Request(request.url, { method: request.method, headers, body: body.bytes });
}

/**
 * The answer for a held order: a browser posting a form gets a page it can
 * show; a route with an ORDER_REPLIES entry gets the reply its checkout
 * expects; other clients get the contract's 202. All carry the same headers.
 */
function accepted(c: Context<AppEnv>, queued: QueuedOrder, body: Body): Response {
  const headers = { location: queued.statusUrl, "x-stayopen-source": "queued", "cache-control": "no-store" };
  if (body.kind === "form" && /text\/html/i.test(c.req.header("accept") ?? ""))
    return orderAcceptedPage(c, queued, headers);
  const reply = findOrderRoute(c.get("shop").config.orderReplies, c.req.method, new URL(c.req.url).pathname);
  if (reply) return orderReplyResponse(reply, { reference: queued.reference, statusUrl: queued.statusUrl }, headers);
  return c.json({ status: "queued", reference: queued.reference, statusUrl: queued.statusUrl }, 202, headers);
}
