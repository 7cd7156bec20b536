/** The edge checkout takes exactly the contract's fields: the form token is optional. */
import { afterEach, describe, expect, it } from "vitest";
import { availableStock } from "../../src/stock/reserve";
import {
  postCheckout,
  shopWithFeed,
  snapshotThenOutage,
  unique,
  type TestShop,
  NO_LIMIT,
  totalOrders,
} from "./fixtures";
import { varsShop } from "../../src/config/shop";
import { getOrder } from "../../src/orders/queue";

let shop: TestShop | undefined;
afterEach(async () => {
  await shop?.origin.stop();
  shop = undefined;
});

/** What DESIGN.md lists, and nothing else: no hidden token. */
const contractFields = (sku: string) => ({
  sku,
  qty: "1",
  name: "Ada Lovelace",
  email: "ada@example.com",
  address: "12 Analytical Row\nLondon",
  payment: "later",
});

async function outageShop(stock: number | null): Promise<{ shop: TestShop; sku: string }> {
  const sku = unique("BARE");
  const s = await shopWithFeed([{ sku, name: "Moka pot", price: 3200, currency: "EUR", stock }], NO_LIMIT);
  await snapshotThenOutage(s, sku);
  return { shop: s, sku };
}

describe("a checkout post without a form token", () => {
  it("queues one order and sends the shopper to its status page", async () => {
    const setup = await outageShop(5);
    shop = setup.shop;
    const before = await totalOrders(shop);

    const response = await postCheckout(shop, contractFields(setup.sku));
    expect(response.status).toBe(303);
    const reference = /^\/__stayopen\/orders\/([0-9a-f]+)$/.exec(response.headers.get("location") ?? "")?.[1];
    expect(reference).toMatch(/^[0-9a-f]{34}$/);
    expect(await getOrder(shop.env, varsShop(shop.env), reference!)).toMatchObject({
      state: "queued",
    });
    expect(await totalOrders(shop)).toBe(before + 1);
  });

  it("makes each identical post an order of its own", async () => {
    const setup = await outageShop(5);
    shop = setup.shop;
    const before = await totalOrders(shop);

    const first = await postCheckout(shop, contractFields(setup.sku));
    const second = await postCheckout(shop, contractFields(setup.sku));
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get("location")).not.toBe(second.headers.get("location"));
    expect(await totalOrders(shop)).toBe(before + 2);
    const s = varsShop(shop.env);
    expect(await availableStock(shop.env, s, setup.sku, { stock: 5, stockAsOf: 0 })).toBe(3);
  });

  it("answers JSON clients 202 with the reference", async () => {
    const setup = await outageShop(null);
    shop = setup.shop;
    const response = await postCheckout(shop, contractFields(setup.sku), { accept: "application/json" });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { reference: string };
    expect(body).toEqual({
      status: "queued",
      reference: expect.stringMatching(/^[0-9a-f]{34}$/),
      statusUrl: `/__stayopen/orders/${body.reference}`,
    });
    expect(response.headers.get("location")).toBe(`/__stayopen/orders/${body.reference}`);
  });

  it("still refuses a malformed token as an expired form, queueing nothing", async () => {
    const setup = await outageShop(5);
    shop = setup.shop;
    const before = await totalOrders(shop);
    const response = await postCheckout(
      shop,
      { ...contractFields(setup.sku), token: "short" },
      { accept: "application/json" },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "invalid_order",
      fields: { token: expect.stringContaining("This form has expired") },
    });
    expect(await totalOrders(shop)).toBe(before);
  });
});
