// In-memory carts keyed by the shop_session cookie. Losing them on restart is
// fine for a demo; orders, not carts, must survive.
import { randomBytes } from "node:crypto";

const SESSION_COOKIE = "shop_session";
const SESSION_ID = /^[A-Za-z0-9_-]{22,64}$/;
const MAX_SESSIONS = 10_000;
const MAX_QTY = 99;

export function createCarts({ productBySku }) {
  const carts = new Map(); // sessionId → Map(sku → qty), oldest first

  function cartOf(sessionId) {
    let cart = carts.get(sessionId);
    if (!cart) {
      // Bound memory: a crawler without cookies creates a session per request.
      if (carts.size >= MAX_SESSIONS) carts.delete(carts.keys().next().value);
      cart = new Map();
      carts.set(sessionId, cart);
    }
    return cart;
  }

  return {
    /** The session id from the cookie if well-formed; a fresh one otherwise (isNew tells the caller to set the cookie). */
    session(cookies) {
      const existing = cookies.get(SESSION_COOKIE);
      if (existing && SESSION_ID.test(existing)) return { id: existing, isNew: false };
      return { id: randomBytes(18).toString("base64url"), isNew: true };
    },

    add(sessionId, sku, qty) {
      const cart = cartOf(sessionId);
      cart.set(sku, Math.min(MAX_QTY, (cart.get(sku) ?? 0) + qty));
    },

    lines(sessionId) {
      const cart = carts.get(sessionId) ?? new Map();
      const lines = [...cart].map(([sku, qty]) => ({ product: productBySku(sku), qty }));
      const total = lines.reduce((sum, l) => sum + l.product.price * l.qty, 0);
      return { lines, total };
    },

    clear(sessionId) {
      carts.delete(sessionId);
    },
  };
}

export function sessionCookie(id) {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Lax; Path=/`;
}
