// Shoppers for the chaos run: each with its own cookie jar, browsing, looking at
// its cart and ordering (some orders sent twice on purpose, network failures
// retried with the same Idempotency-Key, as a careful client would), plus a
// cookie-less crawler that keeps the snapshots warm. Every response goes to
// `observe`, which judges it on the spot.
import { randomUUID } from "node:crypto";
import { CookieJar, json, request } from "../lib/http.mjs";
import { sleep } from "../lib/processes.mjs";

/** Pages the crawler fetches without cookies, so stayopen may snapshot them. */
export const SNAPSHOT_PAGES = ["/", "/c/coffee", "/c/tea", "/c/gear", "/p/1", "/p/2", "/p/3", "/p/4", "/p/5", "/p/6"];
/** Pages only ever requested with a session cookie: they never get a snapshot. */
export const UNSNAPSHOTTED_PAGES = ["/p/9", "/p/10", "/p/11", "/p/12"];
const SKUS = ["COF-YIRG-250", "COF-HOUSE-1KG", "TEA-DARJ-100", "GEAR-DRIP-02"];
const TIMEOUT_MS = 8_000;
const ORDER_RETRIES = 3;

const pick = (list) => list[Math.floor(Math.random() * list.length)];

export function startShoppers({ base, count, observe, orders, shouldStop }) {
  async function get(actor, path, jar) {
    const sessionBefore = jar?.get("shop_session");
    const res = await request(base + path, {
      headers: { accept: "text/html,application/xhtml+xml" },
      jar,
      timeoutMs: TIMEOUT_MS,
    });
    observe({ actor, path, kind: "page", res, sessionBefore, sessionAfter: jar?.get("shop_session") });
    return res;
  }

  async function order(actor, jar, n) {
    const key = randomUUID();
    const chaosId = `${actor}-${n}`;
    const body = JSON.stringify({
      sku: pick(SKUS),
      qty: 1 + (n % 3),
      name: `Chaos ${actor}`,
      email: `${actor}@example.com`,
      address: "1 Test Street",
      chaosId,
    });
    const record = { chaosId, key, attempts: [], references: new Set(), accepted: false, duplicateSent: false };
    orders.push(record);
    const send = async (label) => {
      for (let attempt = 0; attempt < ORDER_RETRIES; attempt++) {
        const res = await request(base + "/api/orders", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": key },
          body,
          jar,
          timeoutMs: TIMEOUT_MS,
        });
        observe({ actor, path: "/api/orders", kind: "order", res });
        record.attempts.push({
          label,
          status: res.status,
          source: res.headers.get("x-stayopen-source"),
          error: res.error,
        });
        if ([200, 201, 202].includes(res.status)) {
          record.accepted = true;
          const reference = json(res.text)?.reference;
          if (res.status === 202 && reference) record.references.add(reference);
          return;
        }
        // An answer is an answer; only a lost answer is retried (same key: the order cannot be doubled).
        if (res.status !== 0) return;
        await sleep(300);
      }
    };
    await send("first");
    if (n % 4 === 0) {
      record.duplicateSent = true; // a double-clicked submit
      await send("duplicate");
    }
  }

  async function shopper(index) {
    const actor = `shopper${index}`;
    const jar = new CookieJar();
    let n = 0;
    await get(actor, "/cart", jar);
    while (!shouldStop()) {
      const roll = Math.random();
      if (roll < 0.55) await get(actor, pick(SNAPSHOT_PAGES), jar);
      else if (roll < 0.7) await get(actor, "/cart", jar);
      else if (roll < 0.82) await get(actor, pick(UNSNAPSHOTTED_PAGES), jar);
      else await order(actor, jar, n++);
      await sleep(80 + Math.random() * 160);
    }
  }

  async function crawler() {
    let i = 0;
    while (!shouldStop()) {
      await get("crawler", SNAPSHOT_PAGES[i++ % SNAPSHOT_PAGES.length], undefined);
      await sleep(150);
    }
  }

  return Promise.all([crawler(), ...Array.from({ length: count }, (_, i) => shopper(i + 1))]);
}

const CALM_PAGES = ["/", "/c/tea", "/p/5", "/p/6", "/cart"];
const CALM_ORDER_EVERY = 8;
const CALM_MAX_REQUESTS = 3000;

/**
 * One shopper at the second shop, whose origin stays healthy throughout: browsing with its own cookies and
 * ordering now and then (bounded in count), each answer handed to `observe` with the order's calmId.
 */
export async function calmShopper({ base, observe, shouldStop }) {
  const jar = new CookieJar();
  for (let n = 0; !shouldStop() && n < CALM_MAX_REQUESTS; n++) {
    if (n % CALM_ORDER_EVERY === CALM_ORDER_EVERY - 1) {
      const calmId = `calm-${n}`;
      const key = randomUUID();
      for (let attempt = 0; attempt < ORDER_RETRIES; attempt++) {
        const res = await request(base + "/api/orders", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": key },
          body: JSON.stringify({ sku: pick(SKUS), qty: 1, name: "Calm", email: "calm@example.com", calmId }),
          jar,
          timeoutMs: TIMEOUT_MS,
        });
        observe({ kind: "order", path: "/api/orders", res, calmId });
        if (res.status !== 0) break;
        await sleep(300);
      }
    } else {
      const path = CALM_PAGES[n % CALM_PAGES.length];
      const res = await request(base + path, {
        headers: { accept: "text/html,application/xhtml+xml" },
        jar,
        timeoutMs: TIMEOUT_MS,
      });
      observe({ kind: "page", path, res });
    }
    await sleep(150 + Math.random() * 100);
  }
}
