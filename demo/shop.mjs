// The shop's routes. Caching headers are part of the demo: public pages are
// cacheable (stayopen may snapshot them), anything personal is private, no-store.
import { readFileSync } from "node:fs";
import { createCatalog, productUrl, toFeedItem } from "./catalog.mjs";
import { createCarts, sessionCookie } from "./carts.mjs";
import {
  BodyTooLargeError,
  firstHeaderValue,
  mediaType,
  parseCookies,
  parseForm,
  readBody,
  send,
  sendHtml,
  sendJson,
  sendText,
} from "./http.mjs";
import { createOrdersApi } from "./orders-api.mjs";
import { createPages } from "./pages.mjs";
import { logoSvg, productSvg } from "./product-image.mjs";
import { LOGO_PATH, harbour } from "./shops.mjs";

const PUBLIC_PAGE = { "cache-control": "public, max-age=60" };
const PRIVATE = { "cache-control": "private, no-store" };
const STATIC_ASSET = { "cache-control": "public, max-age=3600" };
const IMAGE = { "cache-control": "public, max-age=86400" };
const CART_FORM_LIMIT = 16 * 1024;
const BIG_BODY_CHUNKS = 80; // × 64 KiB = 5 MiB
const BIG_BODY_CHUNK_LINES = 1024; // × 64-byte lines = 64 KiB

export function createShop({ shop = harbour, shopLabel, store, replaySecret }) {
  const catalog = createCatalog(shop);
  const { categories, categoryBySlug, productById, productBySku, products } = catalog;
  const pages = createPages({ shop, shopLabel, catalog });
  const carts = createCarts(catalog);
  const orders = createOrdersApi({ store, pages, carts, replaySecret, catalog });
  const css = readFileSync(new URL("./assets/shop.css", import.meta.url));

  const notFound = (req, res) =>
    req.path.startsWith("/api/")
      ? sendJson(res, 404, { error: "not_found" })
      : sendHtml(res, 404, pages.notFound(), PUBLIC_PAGE);

  const handlers = {
    home: (req, res) => sendHtml(res, 200, pages.home(), PUBLIC_PAGE),
    category(req, res, slug) {
      if (!categoryBySlug(slug)) return notFound(req, res);
      sendHtml(res, 200, pages.category(slug), PUBLIC_PAGE);
    },
    product(req, res, id) {
      const product = productById(id);
      if (!product) return notFound(req, res);
      sendHtml(res, 200, pages.product(product), PUBLIC_PAGE);
    },
    cart(req, res) {
      const session = carts.session(req.cookies);
      const { lines, total } = carts.lines(session.id);
      sendHtml(res, 200, pages.cart(session.id, lines, total), withSession(session, PRIVATE));
    },
    async addToCart(req, res) {
      let form = {};
      try {
        if (mediaType(req) === "application/x-www-form-urlencoded") {
          form = parseForm((await readBody(req, CART_FORM_LIMIT)).toString("utf8"));
        }
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        const page = pages.problem("Request too large", "That form was too large.");
        return sendHtml(res, 413, page, { connection: "close", ...PRIVATE });
      }
      const product = productBySku(form.sku);
      const qty = Number(form.qty ?? 1);
      if (!product || !Number.isInteger(qty) || qty < 1 || qty > 99) {
        const page = pages.problem("Could not add to cart", "Choose a product and a quantity from 1 to 99.");
        return sendHtml(res, 400, page, PRIVATE);
      }
      const session = carts.session(req.cookies);
      carts.add(session.id, product.sku, qty);
      send(res, 303, "", withSession(session, { location: "/cart", ...PRIVATE }));
    },
    checkout(req, res) {
      const session = carts.session(req.cookies);
      if (session.isNew) return send(res, 303, "", { location: "/cart", ...PRIVATE });
      const { lines, total } = carts.lines(session.id);
      sendHtml(res, 200, pages.checkout(session.id, lines, total), PRIVATE);
    },
    stylesheet: (req, res) => send(res, 200, css, { "content-type": "text/css; charset=utf-8", ...STATIC_ASSET }),
    productImage(req, res, id) {
      const product = productById(id);
      if (!product) return notFound(req, res);
      send(res, 200, productSvg(product), { "content-type": "image/svg+xml", ...IMAGE });
    },
    logo: (req, res) => send(res, 200, logoSvg(shop), { "content-type": "image/svg+xml", ...IMAGE }),
    favicon: (req, res) => send(res, 204, "", IMAGE),
    sitemap(req, res) {
      const base = baseUrl(req);
      const paths = ["/", ...categories.map((c) => `/c/${c.slug}`), ...products.map(productUrl)];
      const urls = paths.map((p) => `  <url><loc>${escapeXml(base + p)}</loc></url>`).join("\n");
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls}
</urlset>
`;
      send(res, 200, xml, { "content-type": "application/xml; charset=utf-8", ...PUBLIC_PAGE });
    },
    robots(req, res) {
      const disallowed = ["/cart", "/checkout", "/account", "/api/orders"].map((p) => `Disallow: ${p}\n`).join("");
      sendText(res, 200, `User-agent: *\n${disallowed}Sitemap: ${baseUrl(req)}/sitemap.xml\n`, PUBLIC_PAGE);
    },
    health: (req, res) => sendText(res, 200, "ok", { "cache-control": "no-store" }),
    big: streamBigBody,
    redirectHome: (req, res) => send(res, 301, "", { location: "/", ...PUBLIC_PAGE }),
    account: (req, res) => send(res, 302, "", { location: "/login", ...PRIVATE }),
    login: (req, res) => sendHtml(res, 200, pages.login(), PUBLIC_PAGE),
    feed: (req, res) => sendJson(res, 200, { products: products.map(toFeedItem) }, PUBLIC_PAGE),
    feedItem(req, res, sku) {
      const product = productBySku(decodePathPart(sku));
      if (!product) return notFound(req, res);
      sendJson(res, 200, toFeedItem(product), PUBLIC_PAGE);
    },
    placeOrder(req, res) {
      const session = carts.session(req.cookies);
      return orders.create(req, res, session.isNew ? undefined : session.id);
    },
    listOrders: orders.list,
    showOrder: (req, res, orderId) => orders.get(req, res, decodePathPart(orderId)),
  };

  // HEAD is served by the GET route; ":name" matches one path segment.
  const routes = [
    ["GET", "/", handlers.home],
    ["GET", "/c/:slug", handlers.category],
    ["GET", "/p/:id", handlers.product],
    ["GET", "/cart", handlers.cart],
    ["POST", "/cart/add", handlers.addToCart],
    ["GET", "/checkout", handlers.checkout],
    ["GET", "/assets/shop.css", handlers.stylesheet],
    ["GET", "/assets/img/:id.svg", handlers.productImage],
    ["GET", LOGO_PATH, handlers.logo],
    ["GET", "/favicon.ico", handlers.favicon],
    ["GET", "/sitemap.xml", handlers.sitemap],
    ["GET", "/robots.txt", handlers.robots],
    ["GET", "/healthz", handlers.health],
    ["GET", "/big", handlers.big],
    ["GET", "/redirect-me", handlers.redirectHome],
    ["GET", "/account", handlers.account],
    ["GET", "/login", handlers.login],
    ["GET", "/api/products", handlers.feed],
    ["GET", "/api/products/:sku", handlers.feedItem],
    ["POST", "/api/orders", handlers.placeOrder],
    ["GET", "/api/orders", handlers.listOrders],
    ["GET", "/api/orders/:orderId", handlers.showOrder],
  ].map(([method, path, handler]) => [method, compilePath(path), handler]);

  return async function handleShop(req, res) {
    const queryStart = req.url.indexOf("?");
    req.path = queryStart === -1 ? req.url : req.url.slice(0, queryStart);
    req.cookies = parseCookies(req.headers.cookie);
    const method = req.method === "HEAD" ? "GET" : req.method;

    const allowed = [];
    for (const [routeMethod, pattern, handler] of routes) {
      const match = pattern.exec(req.path);
      if (!match) continue;
      if (routeMethod === method) return handler(req, res, ...match.slice(1));
      allowed.push(routeMethod === "GET" ? "GET, HEAD" : routeMethod);
    }
    if (allowed.length) {
      return sendJson(res, 405, { error: "method_not_allowed" }, { allow: allowed.join(", ") });
    }
    notFound(req, res);
  };
}

function compilePath(path) {
  const source = path.replace(/[.]/g, "\\.").replace(/:\w+/g, "([^/]+?)");
  return new RegExp(`^${source}$`);
}

function withSession(session, headers) {
  return session.isNew ? { ...headers, "set-cookie": sessionCookie(session.id) } : headers;
}

/** Absolute base URL as the shopper sees it, behind stayopen or another proxy. */
function baseUrl(req) {
  const host = firstHeaderValue(req, "x-forwarded-host") ?? req.headers.host;
  const validHost = host && /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host);
  const proto = firstHeaderValue(req, "x-forwarded-proto") === "https" ? "https" : "http";
  return `${proto}://${validHost ? host : `localhost:${req.socket.localPort}`}`;
}

function escapeXml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** ~5 MiB written chunk by chunk with backpressure, never buffered whole. */
async function streamBigBody(req, res) {
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  if (req.method === "HEAD") return res.end();
  for (let i = 0; i < BIG_BODY_CHUNKS; i++) {
    const line =
      `chunk ${String(i).padStart(3, "0")} of ${BIG_BODY_CHUNKS}: stayopen streams this body`.padEnd(63, ".") + "\n";
    if (!res.write(line.repeat(BIG_BODY_CHUNK_LINES))) await drainedOrClosed(res);
    if (res.destroyed) return;
  }
  res.end();
}

function drainedOrClosed(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** A malformed %-escape in the path is a missing page, not a server error. */
function decodePathPart(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
