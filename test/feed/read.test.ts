import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFeed } from "../../src/feed/read";
import { FakeOrigin } from "../support/origin";
import { shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";

let origin: FakeOrigin;
let feedCounter = 0;
const host = "shop.test";
const feedBody = (stock: number) =>
  JSON.stringify({
    products: [{ sku: "TEA-1", name: "Green tea", price: 890, currency: "EUR", stock, url: "/p/tea", image: null }],
  });

beforeEach(async () => {
  origin = await FakeOrigin.start();
});
afterEach(() => origin.stop());

async function read(env: ReturnType<typeof shopEnv>) {
  const ctx = createExecutionContext();
  const feed = await readFeed(env, varsShop(env), host, (promise) => ctx.waitUntil(promise));
  await waitOnExecutionContext(ctx);
  return feed;
}

describe("reading the product feed", () => {
  it("fetches the live feed when there is no snapshot, stores it, and serves the snapshot once the origin is down", async () => {
    const path = `/feeds/${++feedCounter}.json`;
    await origin.route(path, { headers: { "content-type": "application/json" }, body: feedBody(4) });
    const env = shopEnv({
      ORIGIN_URL: origin.url,
      CATALOG_FEED_URL: path,
      ORIGIN_TIMEOUT_MS: "300",
      BREAKER_FAILURES: "100",
    });

    const before = Date.now();
    const live = await read(env);
    expect(live?.products.get("TEA-1")?.stock).toBe(4);
    expect(live!.storedAt).toBeGreaterThanOrEqual(before);

    await origin.setMode({ mode: "refuse" });
    const stale = await read(env);
    expect(stale?.products.get("TEA-1")).toMatchObject({ name: "Green tea", price: 890, stock: 4 });
    expect(stale!.storedAt).toBeLessThanOrEqual(Date.now());
    expect(await origin.requests(path)).toHaveLength(1);
  });

  it("has no feed when the origin is down and nothing was ever stored", async () => {
    const path = `/feeds/${++feedCounter}.json`;
    await origin.setMode({ mode: "refuse" });
    const env = shopEnv({
      ORIGIN_URL: origin.url,
      CATALOG_FEED_URL: path,
      ORIGIN_TIMEOUT_MS: "300",
      BREAKER_FAILURES: "100",
    });
    expect(await read(env)).toBeNull();
  });

  it("does not store a document that is not a feed", async () => {
    const path = `/feeds/${++feedCounter}.json`;
    await origin.route(path, { headers: { "content-type": "application/json" }, body: '{"hello":"world"}' });
    const env = shopEnv({
      ORIGIN_URL: origin.url,
      CATALOG_FEED_URL: path,
      ORIGIN_TIMEOUT_MS: "300",
      BREAKER_FAILURES: "100",
    });
    expect(await read(env)).toBeNull();
    await origin.route(path, { headers: { "content-type": "application/json" }, body: feedBody(1) });
    expect((await read(env))?.products.get("TEA-1")?.stock).toBe(1);
  });

  it("fetches an absolute feed URL from its own host", async () => {
    const feedHost = await FakeOrigin.start();
    try {
      await feedHost.route("/export/products.json", {
        headers: { "content-type": "application/json" },
        body: feedBody(9),
      });
      const env = shopEnv({
        ORIGIN_URL: origin.url,
        CATALOG_FEED_URL: `${feedHost.url}/export/products.json`,
        ORIGIN_TIMEOUT_MS: "300",
      });
      expect((await read(env))?.products.get("TEA-1")?.stock).toBe(9);
      expect(await origin.requests()).toHaveLength(0);
    } finally {
      await feedHost.stop();
    }
  });

  it("has no feed when CATALOG_FEED_URL is not set", async () => {
    const env = shopEnv({ ORIGIN_URL: origin.url, CATALOG_FEED_URL: "" });
    expect(await read(env)).toBeNull();
  });
});
