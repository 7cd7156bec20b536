import { afterEach, describe, expect, it } from "vitest";
import { paymentLedger } from "../../src/payments/store";
import { availableStock } from "../../src/stock/reserve";
import { FakeStripe } from "../payments/fake-stripe";
import { dispatch } from "../support/worker";
import {
  checkoutFields,
  formToken,
  postCheckout,
  shopWithFeed,
  snapshotThenOutage,
  unique,
  type TestShop,
  NO_LIMIT,
  totalOrders,
} from "./fixtures";
import { resolveShop } from "../../src/config/shop";
import { drainNow, getOrder } from "../../src/orders/queue";

let shop: TestShop | undefined;
afterEach(async () => {
  await shop?.origin.stop();
  shop = undefined;
});

const referenceOf = (response: Response) =>
  /\/__stayopen\/orders\/([0-9a-f]+)$/.exec(response.headers.get("location") ?? "")?.[1];

/** Polls (bounded) until the condition holds; the queue replays from its own alarm. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("placing an order at the edge", () => {
  it("queues a pay-later order exactly as an ORDER_PATHS order and sends the shopper to its status page", async () => {
    const sku = unique("COF");
    shop = await shopWithFeed(
      [{ sku, name: "Yirgacheffe 250 g", price: 1450, currency: "EUR", stock: 5, url: "/p/1" }],
      NO_LIMIT,
    );
    await snapshotThenOutage(shop, sku);

    const token = formToken();
    const response = await postCheckout(shop, checkoutFields({ sku, qty: "2", token }));
    expect(response.status).toBe(303);
    expect(response.headers.get("x-stayopen-source")).toBe("queued");
    const reference = referenceOf(response)!;
    expect(reference).toMatch(/^[0-9a-f]{34}$/);

    const s = resolveShop(shop.env, "shop.test");
    const order = await getOrder(shop.env, s, reference);
    expect(order).toMatchObject({
      state: "queued",
      method: "POST",
      path: "/api/orders",
      contentType: "application/json",
    });
    expect(await paymentLedger(shop.env, s).get(reference)).toMatchObject({
      method: "later",
      status: "pending_link",
      amount: 2900,
      currency: "EUR",
    });
    expect(await availableStock(shop.env, s, sku, { stock: 5, stockAsOf: 0 })).toBe(3);

    await shop.origin.setMode({ mode: "ok" });
    await drainNow(shop.env, s);
    const [delivered] = await eventually(
      () => shop!.origin.requests("/api/orders"),
      (requests) => requests.length > 0,
      "the replay",
    );
    expect(delivered!.method).toBe("POST");
    expect(delivered!.headers["content-type"]).toBe("application/json");
    expect(delivered!.headers["idempotency-key"]).toBe(`stayopen-checkout-${token}`);
    expect(delivered!.headers["x-stayopen-reference"]).toBe(reference);
    expect(delivered!.headers["webhook-signature"]).toMatch(/^v1,/);
    const body = JSON.parse(delivered!.body);
    expect(body).toEqual({
      items: [{ sku, name: "Yirgacheffe 250 g", qty: 2, price: 1450, currency: "EUR" }],
      total: 2900,
      currency: "EUR",
      customer: { name: "Ada Lovelace", email: "ada@example.com", address: "12 Analytical Row\nLondon" },
      payment: { method: "later", status: "pending_link" },
      source: "stayopen-edge-checkout",
      priceAsOf: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      stockAsOf: body.priceAsOf,
    });
  });

  it("answers JSON clients 202 with the reference, like the order route", async () => {
    const sku = unique("API");
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: null }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const response = await postCheckout(shop, checkoutFields({ sku }), { accept: "application/json" });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { status: string; reference: string; statusUrl: string };
    expect(body).toEqual({
      status: "queued",
      reference: body.reference,
      statusUrl: `/__stayopen/orders/${body.reference}`,
    });
    expect(response.headers.get("location")).toBe(body.statusUrl);
    expect(response.headers.get("link")).toBeNull();
    // How it is paid is at the status URL.
    const status = await dispatch(`https://shop.test${body.statusUrl}`, shop.env, {
      headers: { accept: "application/json" },
    });
    expect(await status.json()).toMatchObject({
      status: "queued",
      payment: { method: "later", status: "pending_link" },
    });
  });

  it("turns a resubmitted form into the same single order", async () => {
    const sku = unique("DBL");
    shop = await shopWithFeed([{ sku, name: "Dripper", price: 2500, currency: "EUR", stock: 2 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const before = await totalOrders(shop);
    const fields = checkoutFields({ sku });
    const [first, second] = await Promise.all([postCheckout(shop, fields), postCheckout(shop, fields)]);
    const third = await postCheckout(shop, fields);
    expect([first!.status, second!.status, third.status]).toEqual([303, 303, 303]);
    expect(new Set([referenceOf(first!), referenceOf(second!), referenceOf(third)]).size).toBe(1);
    expect(await totalOrders(shop)).toBe(before + 1);
    expect(await availableStock(shop.env, resolveShop(shop.env, "shop.test"), sku, { stock: 2, stockAsOf: 0 })).toBe(1);
  });

  it("sells the last items exactly once when shoppers order them at the same moment", async () => {
    const sku = unique("LAST");
    shop = await shopWithFeed([{ sku, name: "Limited edition mug", price: 1800, currency: "EUR", stock: 3 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const before = await totalOrders(shop);

    const responses = await Promise.all(Array.from({ length: 10 }, () => postCheckout(shop!, checkoutFields({ sku }))));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 303)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(7);
    expect(new Set(responses.filter((r) => r.status === 303).map(referenceOf)).size).toBe(3);
    const refused = await responses.find((response) => response.status === 409)!.text();
    expect(refused).toContain("sold out while you were ordering");
    expect(await totalOrders(shop)).toBe(before + 3);
  });

  it("refuses an order that would oversell with 409, queueing nothing", async () => {
    const sku = unique("OVER");
    shop = await shopWithFeed([{ sku, name: "Kettle", price: 4900, currency: "EUR", stock: 2 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const before = await totalOrders(shop);
    const response = await postCheckout(shop, checkoutFields({ sku, qty: "3" }), { accept: "application/json" });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      error: "out_of_stock",
      sku,
      available: 2,
      message: expect.stringContaining("only 2 of Kettle are left"),
    });
    expect(await totalOrders(shop)).toBe(before);
  });

  it("puts the stock back on sale when the shop refuses the order at replay (dead letter)", async () => {
    const sku = unique("DEAD");
    shop = await shopWithFeed([{ sku, name: "Last grinder", price: 12900, currency: "EUR", stock: 1 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const placed = await postCheckout(shop, checkoutFields({ sku }));
    expect(placed.status).toBe(303);
    expect((await postCheckout(shop, checkoutFields({ sku }))).status).toBe(409);

    await shop.origin.route("/api/orders", {
      status: 400,
      headers: { "content-type": "application/json" },
      body: '{"error":"sku_retired"}',
    });
    await shop.origin.setMode({ mode: "ok" });
    const s = resolveShop(shop.env, "shop.test");
    await drainNow(shop.env, s);
    await eventually(
      () => getOrder(shop!.env, s, referenceOf(placed)!),
      (order) => order?.state === "dead",
      "the dead letter",
    );

    await shop.origin.setMode({ mode: "refuse" });
    expect((await postCheckout(shop, checkoutFields({ sku }))).status).toBe(303);
  });

  it("counts the units again when an operator sends the dead letter back to the queue", async () => {
    const sku = unique("RETRY");
    shop = await shopWithFeed([{ sku, name: "Last kettle", price: 4900, currency: "EUR", stock: 1 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const placed = await postCheckout(shop, checkoutFields({ sku }));
    const reference = referenceOf(placed)!;
    await shop.origin.route("/api/orders", { status: 400, body: "refused" });
    await shop.origin.setMode({ mode: "ok" });
    const s = resolveShop(shop.env, "shop.test");
    await drainNow(shop.env, s);
    await eventually(
      () => getOrder(shop!.env, s, reference),
      (order) => order?.state === "dead",
      "the dead letter",
    );
    const level = { stock: 1, stockAsOf: 0 };
    expect(await availableStock(shop.env, s, sku, level)).toBe(1);

    await shop.origin.setMode({ mode: "refuse" });
    const retried = await dispatch(`https://shop.test/__stayopen/admin/orders/${reference}/retry`, shop.env, {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    });
    expect(retried.status).toBe(200);

    expect(await availableStock(shop.env, s, sku, level)).toBe(0);
    expect((await postCheckout(shop, checkoutFields({ sku }))).status).toBe(409);
  });

  it("refuses card numbers typed into the form and releases the stock", async () => {
    const sku = unique("CARD");
    shop = await shopWithFeed([{ sku, name: "Cups", price: 1500, currency: "EUR", stock: 1 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const before = await totalOrders(shop);
    const response = await postCheckout(shop, checkoutFields({ sku, address: "Card 4111 1111 1111 1111, 1 Main St" }));
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain("looks like a card number");
    expect(html).not.toContain("4111 1111 1111 1111");
    expect(await totalOrders(shop)).toBe(before);
    expect((await postCheckout(shop, checkoutFields({ sku }))).status).toBe(303);
  });

  it("sells a product whose SKU is a number that passes Luhn (an EAN): only what the shopper typed is scanned", async () => {
    const sku = "4222222222222";
    shop = await shopWithFeed([{ sku, name: "Barcode beans", price: 990, currency: "EUR", stock: null }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const response = await postCheckout(shop, checkoutFields({ sku }));
    expect(response.status).toBe(303);
    const order = await getOrder(shop.env, resolveShop(shop.env, "shop.test"), referenceOf(response)!);
    expect(order?.state).toBe("queued");
  });

  it("refuses card numbers sent in the query or in fields the form does not have, queueing nothing", async () => {
    const sku = unique("EXTRA");
    shop = await shopWithFeed([{ sku, name: "Cups", price: 1500, currency: "EUR", stock: null }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const before = await totalOrders(shop);
    const extraField = await postCheckout(shop, { ...checkoutFields({ sku }), cc: "4111 1111 1111 1111" });
    expect(extraField.status).toBe(422);
    const inQuery = await dispatch("https://shop.test/__stayopen/checkout?cc=4111111111111111", shop.env, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "cf-connecting-ip": shop.ip },
      body: JSON.stringify(checkoutFields({ sku })),
    });
    expect(inQuery.status).toBe(422);
    expect(await inQuery.json()).toMatchObject({ error: "card_data_refused" });
    expect(await totalOrders(shop)).toBe(before);
  });

  it("asks to check the details again when a used form comes back with different ones", async () => {
    const sku = unique("REUSE");
    shop = await shopWithFeed([{ sku, name: "Filter", price: 450, currency: "EUR", stock: 10 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const token = formToken();
    expect((await postCheckout(shop, checkoutFields({ sku, token }))).status).toBe(303);
    const edited = await postCheckout(shop, checkoutFields({ sku, token, qty: "2" }));
    expect(edited.status).toBe(422);
    const html = await edited.text();
    expect(html).toContain("already used to place an order");
    expect(html).not.toContain(`value="${token}"`);
    expect(await availableStock(shop.env, resolveShop(shop.env, "shop.test"), sku, { stock: 10, stockAsOf: 0 })).toBe(
      9,
    );
  });

  it("limits how often one client may place orders (429 with Retry-After)", async () => {
    const sku = unique("RATE");
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: null }], {
      RATE_LIMIT_CHECKOUT_PER_MIN: "2",
    });
    await snapshotThenOutage(shop, sku);
    expect((await postCheckout(shop, checkoutFields({ sku }))).status).toBe(303);
    expect((await postCheckout(shop, checkoutFields({ sku }))).status).toBe(303);
    const limited = await postCheckout(shop, checkoutFields({ sku }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(await limited.text()).toContain("Too many requests");
    const json = await postCheckout(shop, checkoutFields({ sku }), { accept: "application/json" });
    expect(json.status).toBe(429);
    expect(await json.json()).toMatchObject({ error: "rate_limited" });
    const otherClient = await postCheckout(shop, checkoutFields({ sku }), { "cf-connecting-ip": "198.51.100.77" });
    expect(otherClient.status).toBe(303);
  });
});

/**
 * A Durable Object namespace whose stubs fail `method` the first `times`
 * calls, as during a storage incident; every call is counted.
 */
function flaky<T>(namespace: T, method: string, times: number) {
  const seen = { calls: 0 };
  let failures = times;
  const wrapped = new Proxy(namespace as DurableObjectNamespace, {
    get(target, property) {
      if (property !== "get") return Reflect.get(target, property).bind(target);
      return (id: DurableObjectId) => {
        const stub = target.get(id);
        return new Proxy(stub, {
          get(stubTarget, name) {
            const value = Reflect.get(stubTarget, name);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
              if (name === method) {
                seen.calls += 1;
                if (failures-- > 0) return Promise.reject(new Error(`${method} failed: storage unavailable`));
              }
              return Reflect.apply(value, stubTarget, args);
            };
          },
        });
      };
    },
  }) as T;
  return { wrapped, seen };
}

describe("trouble after the order is queued", () => {
  it("still sends the shopper to the order, and makes the stock hold permanent in the background", async () => {
    const sku = unique("HOLD");
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: 4 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    const stock = flaky(shop.env.STOCK, "confirm", 1);
    const env = { ...shop.env, STOCK: stock.wrapped };

    const response = await postCheckout({ ...shop, env }, checkoutFields({ sku, qty: "3" }));

    expect(response.status).toBe(303);
    const order = await getOrder(env, resolveShop(env, "shop.test"), referenceOf(response)!);
    expect(order?.state).toBe("queued");
    expect(stock.seen.calls).toBe(2);
    expect(await availableStock(env, resolveShop(env, "shop.test"), sku, { stock: 4, stockAsOf: 0 })).toBe(1);
  });

  it("keeps a card payment's order and offers the payment step again when it could not be opened", async () => {
    const stripe = new FakeStripe();
    const sku = unique("PAYFAIL");
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: null }], {
      ...NO_LIMIT,
      ...stripe.vars(),
    });
    await snapshotThenOutage(shop, sku);
    const payments = flaky(shop.env.PAYMENTS, "open", 1);
    const env = { ...shop.env, PAYMENTS: payments.wrapped };
    const fields = checkoutFields({ sku, payment: "stripe" });

    const first = await postCheckout({ ...shop, env }, fields);
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("10");
    const html = await first.text();
    const reference = /Your order ([0-9a-f]{34}) is saved/.exec(html)?.[1];
    expect(reference).toBeDefined();
    expect(html).toContain(`value="${fields.token}"`);
    expect((await getOrder(env, resolveShop(env, "shop.test"), reference!))?.state).toBe("queued");

    const queuedBefore = await totalOrders(shop);
    const again = await postCheckout({ ...shop, env }, fields);
    expect(again.status).toBe(303);
    const { sessions } = await stripe.account();
    expect(sessions.map((session) => session.client_reference_id)).toEqual([reference]);
    expect(again.headers.get("location")).toBe(sessions[0]!.url);
    expect(await totalOrders(shop)).toBe(queuedBefore);
  });
});
