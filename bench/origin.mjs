// A fast origin for benchmarks, so the origin is never the bottleneck: every GET
// answers a public shop page (built once per path, then served from memory):
// `/s/<kb>/…` is a category page of about <kb> KB (realistic markup: head,
// navigation, product cards with prices and pictures, footer), any other path
// the 1.5 KB page; POST /api/orders dedupes by
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

const NAMES = [
  "Yirgacheffe",
  "Sidamo",
  "Huila",
  "Antigua",
  "Tarrazú",
  "Kona",
  "Mandheling",
  "Santos",
  "Nariño",
  "Gesha",
];
const KINDS = ["whole bean", "espresso roast", "filter roast", "decaf", "single origin", "house blend"];
const pages = new Map();

/** A category page of about `bytes` bytes, different per path (its own title and products), built once. */
function shopPage(path, bytes) {
  let seed = 0;
  for (const ch of path) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pick = (list) => list[Math.floor(next() * list.length)];
  const head =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${pick(NAMES)} coffee · Bench Roasters</title><meta name="description" content="Freshly roasted coffee, shipped in 24 hours.">` +
    `<link rel="stylesheet" href="/assets/app.3f9a1c.css"><link rel="preload" as="font" href="/assets/inter.woff2" crossorigin>` +
    `<script type="application/ld+json">{"@context":"https://schema.org","@type":"ItemList","name":"${path}"}</script>` +
    `<script src="/assets/app.8d2e4b.js" defer></script></head>\n<body class="page-category" data-path="${path}">` +
    `<header class="site-header"><a class="logo" href="/">Bench Roasters</a><nav aria-label="Main"><ul>` +
    KINDS.map((k) => `<li><a href="/c/${k.replace(/ /g, "-")}">${k}</a></li>`).join("") +
    `</ul></nav><form action="/search" role="search"><input name="q" type="search" placeholder="Search"></form></header>\n<main><h1>Coffee</h1><ul class="product-grid">`;
  const tail = `</ul></main>\n<footer class="site-footer"><p>© Bench Roasters · <a href="/imprint">Imprint</a> · <a href="/privacy">Privacy</a></p></footer></body></html>\n`;
  let cards = "";
  for (let i = 1; head.length + cards.length + tail.length < bytes; i++) {
    const name = `${pick(NAMES)} ${pick(KINDS)}`;
    const sku = `COF-${Math.floor(next() * 90000 + 10000)}`;
    const price = (8 + next() * 30).toFixed(2);
    cards +=
      `<li class="product-card" data-sku="${sku}"><a href="/p/${sku.toLowerCase()}"><img src="/media/${sku}-400.webp" ` +
      `srcset="/media/${sku}-400.webp 400w, /media/${sku}-800.webp 800w" sizes="(max-width: 600px) 50vw, 25vw" ` +
      `alt="${name}" width="400" height="400" loading="${i > 8 ? "lazy" : "eager"}"><h2 class="product-title">${name}</h2></a>` +
      `<p class="price" data-currency="EUR">€${price}</p><p class="stock">${next() < 0.8 ? "In stock" : "Only a few left"}</p>` +
      `<form method="post" action="/cart/add"><input type="hidden" name="sku" value="${sku}"><button>Add to cart</button></form></li>\n`;
  }
  return Buffer.from(head + cards + tail);
}

function pageFor(path) {
  const sized = /^\/s\/([0-9.]+)\//.exec(path);
  if (!sized) return PAGE;
  let page = pages.get(path);
  if (!page) {
    page = shopPage(path, Math.round(Number(sized[1]) * 1024));
    if (pages.size < 10_000) pages.set(path, page);
  }
  return page;
}

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
  const page = pageFor(req.url);
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "public, max-age=60",
    "content-length": page.length,
  });
  res.end(req.method === "HEAD" ? undefined : page);
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
