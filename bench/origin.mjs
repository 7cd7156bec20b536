// A fast origin for benchmarks, so the origin is never the bottleneck: every GET
// answers the same small public HTML page; POST /api/orders dedupes by
// Idempotency-Key and records peak concurrency. A control port switches it
// up / down (connection refused) / hang (accepts, never answers).
//
//   node bench/origin.mjs            prints {"origin":"http://…","control":"http://…"}
//   control: POST /mode?mode=up|down|hang · GET /stats · POST /reset
import http from "node:http";

const PAGE = Buffer.from(
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bench product</title></head><body>` +
    `<main><h1>Bench product</h1><p>${"A steady page of fixed size for benchmarks. ".repeat(30)}</p></main></body></html>\n`,
);
const ORDER_DELAY_MS = Number(process.env.BENCH_ORDER_DELAY_MS ?? 2);

let mode = "up";
const held = new Set();
let stats = freshStats();

const RAMP_BUCKET_MS = 100;
const RAMP_BUCKETS = 600;

function freshStats() {
  return {
    pages: 0,
    orderRequests: 0,
    uniqueOrders: 0,
    duplicateDeliveries: 0,
    // Keys the load generator never sent: the replay replaced the shopper's Idempotency-Key.
    foreignKeys: 0,
    inFlight: 0,
    peakConcurrency: 0,
    answered: 0,
    // Most orders in flight beyond those already answered. A queue that ramps (each shard sends one
    // order, then doubles after each good batch) never exceeds its shard count; one that sends its
    // whole allowance at once reaches shards × concurrency at the first delivery.
    peakAheadOfAnswered: 0,
    firstOrderAt: null,
    lastOrderAt: null,
    // Peak concurrency per 100 ms from the first order: shows whether the drain ramps up.
    ramp: [],
  };
}
let keys = new Set();

function handle(req, res) {
  if (mode === "hang") {
    held.add(res);
    res.on("close", () => held.delete(res));
    return;
  }
  if (req.method === "POST" && req.url.startsWith("/api/orders")) return order(req, res);
  stats.pages += 1;
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "public, max-age=60",
    "content-length": PAGE.length,
  });
  res.end(req.method === "HEAD" ? undefined : PAGE);
}

function order(req, res) {
  stats.orderRequests += 1;
  stats.inFlight += 1;
  stats.peakConcurrency = Math.max(stats.peakConcurrency, stats.inFlight);
  stats.peakAheadOfAnswered = Math.max(stats.peakAheadOfAnswered, stats.inFlight - stats.answered);
  stats.firstOrderAt ??= Date.now();
  const bucket = Math.floor((Date.now() - stats.firstOrderAt) / RAMP_BUCKET_MS);
  if (bucket < RAMP_BUCKETS) stats.ramp[bucket] = Math.max(stats.ramp[bucket] ?? 0, stats.inFlight);
  req.resume();
  req.on("end", () => {
    setTimeout(() => {
      stats.inFlight -= 1;
      stats.answered += 1;
      const key = req.headers["idempotency-key"] ?? "";
      if (!key.startsWith("bench-")) stats.foreignKeys += 1;
      const seen = key !== "" && keys.has(key);
      if (seen) stats.duplicateDeliveries += 1;
      else {
        if (key) keys.add(key);
        stats.uniqueOrders += 1;
      }
      stats.lastOrderAt = Date.now();
      res.writeHead(seen ? 200 : 201, { "content-type": "application/json" });
      res.end(`{"ok":true}`);
    }, ORDER_DELAY_MS);
  });
}

let server = null;
const sockets = new Set();
let port = Number(process.env.PORT ?? 0);

async function up() {
  if (server) return;
  const next = http.createServer({ keepAliveTimeout: 30_000 }, handle);
  next.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((done) => next.listen(port, "127.0.0.1", done));
  port = next.address().port;
  server = next;
}

async function down() {
  if (!server) return;
  const closing = new Promise((done) => server.close(done));
  for (const socket of sockets) socket.destroy();
  server = null;
  await closing;
}

async function setMode(next) {
  for (const res of held) res.socket?.destroy();
  held.clear();
  mode = next;
  if (next === "down") await down();
  else await up();
}

const control = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://control.invalid");
  if (
    req.method === "POST" &&
    url.pathname === "/mode" &&
    ["up", "down", "hang"].includes(url.searchParams.get("mode"))
  ) {
    await setMode(url.searchParams.get("mode"));
    return json(res, { mode });
  }
  if (req.method === "GET" && url.pathname === "/stats") return json(res, { mode, ...stats });
  if (req.method === "POST" && url.pathname === "/reset") {
    stats = freshStats();
    keys = new Set();
    return json(res, { ok: true });
  }
  res.writeHead(404).end();
});

function json(res, body) {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

await up();
await new Promise((done) => control.listen(0, "127.0.0.1", done));
console.log(
  JSON.stringify({ origin: `http://127.0.0.1:${port}`, control: `http://127.0.0.1:${control.address().port}` }),
);
process.on("SIGTERM", () => process.exit(0));
