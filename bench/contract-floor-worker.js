// The contract floor for order intake: the floor worker (one SQLite row per order) plus, each in its
// least form, what DESIGN.md demands of every order the edge holds while no origin can take it. Beside
// the floor and stayopen in one workerd it shows how much of stayopen's cost per order the contract
// itself asks for, and how much is stayopen's own.
//
// FLOOR_STEPS (comma-separated, default all) picks the steps, so the bench can add them one at a time:
// - checks:  ORDER_MAX_BYTES, well-formed JSON no deeper than ORDER_MAX_DEPTH, no card numbers (Luhn).
// - limit:   RATE_LIMIT_ORDERS_PER_MIN per client, counted in shared in-memory counter objects.
// - dedupe:  same Idempotency-Key + same body → the same reference, different body → 422: a body
//            fingerprint (SHA-256) stored with the order and a lookup of the key before the insert.
// - queue:   what replay and the status page need: a ≥128-bit random reference (unique), FIFO order,
//            the due time of the next attempt and its index.
// - log:     the order_queued line (every state change is logged).
import { DurableObject } from "cloudflare:workers";

const STEPS = ["checks", "limit", "dedupe", "queue", "log"];

function steps(env) {
  const named = (env.FLOOR_STEPS ?? STEPS.join(",")).split(",").filter(Boolean);
  return new Set(named);
}

export class ContractFloorOrders extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.steps = steps(env);
    const queue = this.steps.has("queue");
    ctx.storage.sql.exec(
      queue
        ? `CREATE TABLE IF NOT EXISTS orders (seq INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE, key TEXT NOT NULL,
             fingerprint TEXT NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL, due INTEGER NOT NULL);
           CREATE INDEX IF NOT EXISTS orders_by_key ON orders (key);
           CREATE INDEX IF NOT EXISTS orders_by_due ON orders (state, due);`
        : `CREATE TABLE IF NOT EXISTS orders (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, body TEXT NOT NULL)`,
    );
  }

  store(key, fingerprint, body, reference) {
    const sql = this.ctx.storage.sql;
    const queue = this.steps.has("queue");
    if (this.steps.has("dedupe")) {
      const known = sql
        .exec(`SELECT ${queue ? "reference" : "key AS reference"}, fingerprint FROM orders WHERE key = ?`, key)
        .toArray()[0];
      if (known) return known.fingerprint === fingerprint ? known.reference : null;
    }
    if (queue)
      sql.exec(
        "INSERT INTO orders (reference, key, fingerprint, body, state, due) VALUES (?, ?, ?, ?, 'queued', ?)",
        reference,
        key,
        fingerprint,
        body,
        Date.now() + 1000,
      );
    else sql.exec("INSERT OR IGNORE INTO orders (key, fingerprint, body) VALUES (?, ?, ?)", key, fingerprint, body);
    if (this.steps.has("log"))
      console.log(JSON.stringify({ level: "info", event: "order_queued", time: new Date().toISOString(), reference }));
    return reference;
  }
}

export class ContractFloorCounter extends DurableObject {
  windows = new Map();

  take(client, limit, now = Date.now()) {
    const window = this.windows.get(client);
    const current = window && now - window.startedAt < 60_000 ? window : { startedAt: now, count: 0 };
    current.count += 1;
    this.windows.set(client, current);
    return current.count <= limit;
  }
}

function hashOf(text, shards) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

function luhn(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** False when the value is deeper than maxDepth or holds a card number (13–19 digits, spaces or dashes between). */
function acceptable(value, maxDepth, depth = 1) {
  if (depth > maxDepth) return false;
  if (typeof value === "string" || typeof value === "number") {
    for (const run of String(value).match(/\d[\d -]{11,}\d/g) ?? []) {
      const digits = run.replace(/[ -]/g, "");
      if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) return false;
    }
    return true;
  }
  if (value === null || typeof value !== "object") return true;
  return Object.values(value).every((v) => acceptable(v, maxDepth, depth + 1));
}

async function sha256Hex(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function newReference() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

const problem = (status, type) => Response.json({ type, status }, { status });

async function order(request, env) {
  const on = steps(env);
  const key = request.headers.get("idempotency-key") ?? crypto.randomUUID();
  const body = await request.text();
  if (on.has("checks")) {
    if (body.length > Number(env.ORDER_MAX_BYTES)) return problem(413, "order_too_large");
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return problem(400, "invalid_json");
    }
    if (!acceptable(parsed, Number(env.ORDER_MAX_DEPTH))) return problem(422, "card_data_refused");
  }
  if (on.has("limit")) {
    const client = request.headers.get("cf-connecting-ip") ?? "unknown";
    const counter = env.COUNTER.getByName(`orders:${hashOf(client, 16)}`);
    if (!(await counter.take(client, Number(env.RATE_LIMIT_ORDERS_PER_MIN)))) return problem(429, "rate_limited");
  }
  const fingerprint = on.has("dedupe") ? await sha256Hex(body) : "";
  const shard = env.ORDERS.getByName(`orders:${hashOf(key, Number(env.ORDER_SHARDS))}`);
  const reference = await shard.store(key, fingerprint, body, on.has("queue") ? newReference() : key);
  if (reference === null) return problem(422, "idempotency_key_reused");
  const statusUrl = `/__stayopen/orders/${reference}`;
  return Response.json({ status: "queued", reference, statusUrl }, { status: 202, headers: { location: statusUrl } });
}

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return request.method === "POST" && url.pathname === "/api/orders"
      ? order(request, env)
      : new Response("not found", { status: 404 });
  },
};
