// The floor: the least a worker must do to honour the parts of the contract the
// bench measures, and nothing else. Set beside the bare pass-through, it shows
// how much of stayopen's cost the contract itself demands on this machine.
//
// - GET: forward with X-Forwarded-Host/-Proto under a header deadline
//   (ORIGIN_TIMEOUT_MS) and mark the answer X-Stayopen-Source: origin.
// - POST /api/orders: a durable 202 — one SQLite row per Idempotency-Key in one
//   of ORDER_SHARDS Durable Objects, answered once the write is stored.
import { DurableObject } from "cloudflare:workers";

export class FloorOrders extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS orders (key TEXT PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL)",
    );
  }

  store(key, body) {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO orders (key, body, at) VALUES (?, ?, ?)", key, body, Date.now());
  }
}

function shardOf(key, shards) {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % shards;
}

async function order(request, env) {
  const key = request.headers.get("idempotency-key") ?? crypto.randomUUID();
  const body = await request.text();
  await env.FLOOR_ORDERS.getByName(`orders:${shardOf(key, Number(env.ORDER_SHARDS))}`).store(key, body);
  return Response.json({ status: "queued", reference: key }, { status: 202 });
}

async function passThrough(request, env, url) {
  const headers = new Headers(request.headers);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), Number(env.ORIGIN_TIMEOUT_MS));
  let response;
  try {
    response = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method,
      headers,
      signal: deadline.signal,
    });
  } finally {
    clearTimeout(timer);
  }
  const marked = new Response(response.body, response);
  marked.headers.set("x-stayopen-source", "origin");
  return marked;
}

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return request.method === "POST" && url.pathname === "/api/orders"
      ? order(request, env)
      : passThrough(request, env, url);
  },
};
