// POST /api/orders as a careful shop backend implements it: idempotent by
// Idempotency-Key, signature-checked when stayopen replays queued orders.
import { createHash } from "node:crypto";
import { CURRENCY } from "./catalog.mjs";
import { BodyTooLargeError, acceptsHtml, mediaType, parseForm, readBody, sendHtml, sendJson } from "./http.mjs";
import { verifyWebhook } from "./webhook-signature.mjs";

const ORDER_BODY_LIMIT = 1024 * 1024;
const MAX_LINES = 50;
const MAX_QTY = 99;
const MAX_KEY_LENGTH = 255;

export function createOrdersApi({ store, pages, carts, replaySecret, catalog }) {
  async function create(req, res, session) {
    const type = mediaType(req);
    // A shopper's browser gets pages; API clients and stayopen's replay get JSON.
    const browser = type === "application/x-www-form-urlencoded" && acceptsHtml(req);
    const fail = (status, error, message, headers) =>
      browser
        ? sendHtml(res, status, pages.problem("We could not take that order", message), {
            "cache-control": "no-store",
            ...headers,
          })
        : sendJson(res, status, { error, message }, headers);

    if (type !== "application/json" && type !== "application/x-www-form-urlencoded") {
      return fail(
        415,
        "unsupported_media_type",
        "Send the order as application/json or application/x-www-form-urlencoded.",
      );
    }

    let raw;
    try {
      raw = await readBody(req, ORDER_BODY_LIMIT);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // Stop reading an oversized upload; closing is cheaper than draining it.
      return fail(413, "payload_too_large", `Orders are limited to ${ORDER_BODY_LIMIT} bytes.`, {
        connection: "close",
      });
    }

    const reference = req.headers["x-stayopen-reference"];
    let signatureVerified = false;
    if (replaySecret && (req.headers["webhook-id"] || reference)) {
      const check = verifyWebhook({ secret: replaySecret, headers: req.headers, rawBody: raw });
      if (!check.ok) return sendJson(res, 401, { error: "bad_signature", message: check.reason });
      signatureVerified = true;
    }

    const body = parseBody(type, raw);
    if (!body) return fail(400, "invalid_order", "The body is not a JSON object.");
    // A poison order for drills: answered like a real backend's validation failure that comes back as a
    // 500 (EverShop does this), every time, so it is retried and never taken.
    if (body.alwaysFail === true || body.alwaysFail === "true")
      return fail(500, "validation_failed", "Order validation failed (alwaysFail is set): this order is never taken.");
    const { items, error } = orderItems(body, catalog.productBySku);
    if (error) return fail(400, "invalid_order", error);

    const idempotencyKey = req.headers["idempotency-key"];
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_KEY_LENGTH)) {
      return fail(400, "invalid_idempotency_key", `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`);
    }

    const { outcome, order } = store.place({
      idempotencyKey,
      fingerprint: fingerprint(body),
      build: () => ({
        status: "received",
        idempotencyKey: idempotencyKey ?? null,
        items,
        total: items.reduce((sum, i) => sum + i.lineTotal, 0),
        currency: CURRENCY,
        body,
        contentType: type,
        receivedAt: new Date().toISOString(),
        headers: stayopenHeaders(req),
        replayed: Boolean(reference),
        signatureVerified,
      }),
    });

    if (outcome === "conflict") {
      return fail(409, "idempotency_key_reused", "This Idempotency-Key was already used for a different order.");
    }
    if (outcome === "created" && body.from === "checkout" && session) carts.clear(session);

    const status = outcome === "created" ? 201 : 200;
    const headers = {
      location: `/api/orders/${order.orderId}`,
      ...(outcome === "replayed" && { "idempotent-replayed": "true" }),
    };
    if (browser)
      return sendHtml(res, status, pages.orderReceived(order), { "cache-control": "private, no-store", ...headers });
    return sendJson(res, status, summary(order), headers);
  }

  return {
    create,
    list: (req, res) => sendJson(res, 200, { orders: store.list() }),
    get(req, res, orderId) {
      const order = store.get(orderId);
      if (!order) return sendJson(res, 404, { error: "not_found", message: `No order ${orderId}.` });
      sendJson(res, 200, order);
    },
  };
}

function parseBody(type, raw) {
  if (type === "application/x-www-form-urlencoded") return parseForm(raw.toString("utf8"));
  try {
    const value = JSON.parse(raw.toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** Lines from `items: [{sku, qty}]`, or from `sku`/`qty` fields (repeated in a form posting a whole cart). */
function orderItems(body, productBySku) {
  let lines;
  if (Array.isArray(body.items)) {
    lines = body.items;
  } else if (body.sku !== undefined) {
    const qtys = [body.qty ?? 1].flat();
    lines = [body.sku].flat().map((sku, i) => ({ sku, qty: qtys[i] ?? 1 }));
  } else {
    return { error: "The order has no items: send sku and qty, or items: [{sku, qty}]." };
  }
  if (lines.length === 0) return { error: "The order has no items." };
  if (lines.length > MAX_LINES) return { error: `An order has at most ${MAX_LINES} lines.` };

  const items = [];
  for (const line of lines) {
    const product = productBySku(line?.sku);
    if (!product) return { error: `Unknown sku ${JSON.stringify(line?.sku ?? null)}.` };
    const qty = Number(line.qty ?? 1);
    if (!Number.isInteger(qty) || qty < 1 || qty > MAX_QTY) {
      return { error: `qty for ${product.sku} must be a whole number from 1 to ${MAX_QTY}.` };
    }
    items.push({ sku: product.sku, name: product.name, qty, price: product.price, lineTotal: product.price * qty });
  }
  return { items };
}

/** Same body ⇔ same fingerprint, regardless of key order or whitespace. */
function fingerprint(body) {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function stayopenHeaders(req) {
  const headers = {};
  for (const name of ["x-stayopen-reference", "x-stayopen-queued-at"]) {
    if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  }
  return headers;
}

function summary(order) {
  const { orderId, status, items, total, currency, receivedAt, replayed, deliveries } = order;
  return { orderId, status, items, total, currency, receivedAt, replayed, deliveries };
}
