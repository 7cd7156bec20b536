import { afterEach, describe, expect, it } from "vitest";
import { varsShop } from "../../src/config/shop";
import { availableStock } from "../../src/stock/reserve";
import {
  checkoutFields,
  formToken,
  NO_LIMIT,
  postCheckout,
  shopWithFeed,
  snapshotThenOutage,
  totalOrders,
  unique,
  type TestShop,
} from "./fixtures";

let shop: TestShop | undefined;
afterEach(async () => {
  await shop?.origin.stop();
  shop = undefined;
});

describe("an API client placing an order at the edge", () => {
  it("gets the refusals a shopper sees on the form as JSON errors, from the edge, with nothing queued", async () => {
    const sku = unique("APIREF");
    shop = await shopWithFeed([{ sku, name: "Filter", price: 450, currency: "EUR", stock: 10 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const json = { accept: "application/json" };
    const card = await postCheckout(shop, checkoutFields({ sku, name: "Ada 4111 1111 1111 1111" }), json);
    expect(card.status).toBe(422);
    expect(card.headers.get("cache-control")).toBe("no-store");
    expect(card.headers.get("x-stayopen-source")).toBe("edge");
    expect(await card.json()).toMatchObject({ error: "card_data_refused" });

    const token = formToken();
    expect((await postCheckout(shop, checkoutFields({ sku, token }), json)).status).toBe(202);
    const before = await totalOrders(shop);
    const reused = await postCheckout(shop, checkoutFields({ sku, token, qty: "2" }), json);
    expect(reused.status).toBe(422);
    expect(reused.headers.get("x-stayopen-source")).toBe("edge");
    expect(await reused.json()).toMatchObject({ error: "idempotency_key_reused" });
    expect(await totalOrders(shop)).toBe(before);
    // The refused order's units went back: only the first order holds stock.
    expect(await availableStock(shop.env, varsShop(shop.env), sku, { stock: 10, stockAsOf: 0 })).toBe(9);
  });
});
