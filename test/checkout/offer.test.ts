import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { forgetOriginHealth } from "../../src/origin/health";
import { originMonitor } from "../../src/origin/monitor";
import { dispatch } from "../support/worker";
import { originBack } from "../support/breaker";
import { shopWithFeed, snapshotThenOutage, unique, type TestShop } from "./fixtures";

let shop: TestShop | undefined;
afterEach(async () => {
  if (shop)
    await runInDurableObject(originMonitor(shop.env, "default", shop.origin.url), (_instance, state) =>
      state.storage.deleteAlarm(),
    );
  forgetOriginHealth();
  shop = undefined;
});

/** Lets a refused origin's breaker (opened by its failed health probe) be brought back quickly. */
const RECOVERABLE = {
  BREAKER_COOLDOWN_MS: "100",
  HEALTH_PATH: "/healthz",
  PROBE_INTERVAL_MS: "3600000",
  PROBE_IDLE_INTERVAL_MS: "0",
  SLOW_START_MS: "0",
};

const CHECKOUT_LINK = 'href="/__stayopen/checkout"';

describe("offering the edge checkout during an outage", () => {
  it("links the stale banner of a product page to the checkout, which picks that product", async () => {
    const sku = unique("BANNER");
    const page = `/p/${unique("beans")}`;
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: 3, url: page }]);
    await (await dispatch(`https://shop.test${page}`, shop.env)).text();
    await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env).then((r) => r.text());
    await shop.origin.setMode({ mode: "refuse" });

    const stale = await dispatch(`https://shop.test${page}`, shop.env);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    const html = await stale.text();
    expect(html).toContain(CHECKOUT_LINK);
    expect(html).toContain("Order now, we'll confirm when we're back");

    const checkout = await dispatch("https://shop.test/__stayopen/checkout", shop.env, {
      headers: { referer: `https://shop.test${page}` },
    });
    const checkoutHtml = await checkout.text();
    expect(checkoutHtml).toContain(`name="sku" value="${sku}"`);
    expect(checkoutHtml).toContain("Our shop system is unreachable right now");
  });

  it("offers nothing when the shop has no product feed", async () => {
    shop = await shopWithFeed([], { CATALOG_FEED_URL: "" });
    const page = `/p/${unique("plain")}`;
    await (await dispatch(`https://shop.test${page}`, shop.env)).text();
    await shop.origin.setMode({ mode: "refuse" });
    const html = await (await dispatch(`https://shop.test${page}`, shop.env)).text();
    expect(html).toContain("data-stayopen-banner");
    expect(html).not.toContain(CHECKOUT_LINK);
    const maintenance = await (await dispatch(`https://shop.test/${unique("never")}`, shop.env)).text();
    expect(maintenance).not.toContain(CHECKOUT_LINK);
  });

  it("offers the checkout on the maintenance page once it has a product list to show", async () => {
    const sku = unique("OFFER");
    shop = await shopWithFeed([{ sku, name: "Tea", price: 500, currency: "EUR", stock: null }], RECOVERABLE);
    await shop.origin.setMode({ mode: "refuse" });
    const before = await dispatch(`https://shop.test/${unique("never")}`, shop.env);
    expect(before.status).toBe(503);
    expect(await before.text()).not.toContain(CHECKOUT_LINK);

    await originBack(shop.env, shop.origin);
    await snapshotThenOutage(shop, sku);
    const response = await dispatch(`https://shop.test/${unique("never")}`, shop.env);
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(html).toContain(CHECKOUT_LINK);
    expect(html).toContain("Order now, we&#39;ll confirm when we&#39;re back");
  });
});
