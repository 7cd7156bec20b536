import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { get, makeDataDir, postOrder, removeDataDir, startShop } from "../test-support/shop-process.mjs";

const TIMEOUT = { timeout: 15_000 };
const ORDER = { sku: "COF-YIRG-250", qty: 2, name: "Ann Lee", email: "ann@example.com", address: "1 Quay St" };

describe("orders", { timeout: 90_000 }, () => {
  let shop;
  let dataDir;
  before(async () => {
    dataDir = makeDataDir();
    shop = await startShop({ dataDir });
  });
  after(async () => {
    await shop?.stop();
    removeDataDir(dataDir);
  });

  test("a JSON order is created with 201 and stored with its extra fields", TIMEOUT, async () => {
    const res = await postOrder(shop.shop, { ...ORDER, payment: "later", snapshot: { at: "2024-01-01T00:00:00Z" } });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.match(body.orderId, /^ORD-[0-9A-F]{10}$/);
    assert.equal(body.status, "received");
    assert.equal(body.total, 2900);
    assert.equal(res.headers.get("location"), `/api/orders/${body.orderId}`);

    const stored = await (await get(`${shop.shop}/api/orders/${body.orderId}`)).json();
    assert.equal(stored.body.payment, "later");
    assert.deepEqual(stored.body.snapshot, { at: "2024-01-01T00:00:00Z" });
    assert.equal(stored.replayed, false);
    assert.equal(stored.deliveries, 1);
    assert.equal(stored.idempotencyKey, null);
  });

  test("items: [{sku, qty}] is accepted too", TIMEOUT, async () => {
    const res = await postOrder(shop.shop, {
      items: [
        { sku: "TEA-EARL-100", qty: 1 },
        { sku: "GEAR-FILT-100", qty: 3 },
      ],
      name: "B",
      email: "b@example.com",
      address: "x",
    });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).total, 990 + 3 * 590);
  });

  test("an order with alwaysFail is answered 500 every time and never stored", TIMEOUT, async () => {
    const before = (await (await get(`${shop.shop}/api/orders`)).json()).orders.length;
    for (let i = 0; i < 2; i++) {
      const res = await postOrder(shop.shop, { ...ORDER, alwaysFail: true });
      assert.equal(res.status, 500);
      assert.equal((await res.json()).error, "validation_failed");
    }
    assert.equal((await (await get(`${shop.shop}/api/orders`)).json()).orders.length, before);
  });

  test("without an Idempotency-Key every request is a new order", TIMEOUT, async () => {
    const a = await (await postOrder(shop.shop, ORDER)).json();
    const b = await (await postOrder(shop.shop, ORDER)).json();
    assert.notEqual(a.orderId, b.orderId);
  });

  test("same Idempotency-Key and body → same order, no duplicate in effect", TIMEOUT, async () => {
    const key = `key-${Date.now()}`;
    const first = await postOrder(shop.shop, ORDER, { "idempotency-key": key });
    assert.equal(first.status, 201);
    const { orderId } = await first.json();

    // Same fields in another order and with whitespace: still the same body.
    const reordered = `{ "address": "1 Quay St", "email": "ann@example.com", "name": "Ann Lee", "qty": 2, "sku": "COF-YIRG-250" }`;
    const second = await postOrder(shop.shop, reordered, { "idempotency-key": key });
    assert.equal(second.status, 200);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    const again = await second.json();
    assert.equal(again.orderId, orderId);
    assert.equal(again.deliveries, 2);

    const { orders } = await (await get(`${shop.shop}/api/orders`)).json();
    assert.equal(orders.filter((o) => o.idempotencyKey === key).length, 1);
  });

  test("concurrent deliveries of one key create one order", TIMEOUT, async () => {
    const key = `race-${Date.now()}`;
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => postOrder(shop.shop, ORDER, { "idempotency-key": key })),
    );
    const ids = new Set(await Promise.all(responses.map(async (r) => (await r.json()).orderId)));
    assert.equal(ids.size, 1);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
  });

  test("same Idempotency-Key with a different body → 409", TIMEOUT, async () => {
    const key = `reuse-${Date.now()}`;
    assert.equal((await postOrder(shop.shop, ORDER, { "idempotency-key": key })).status, 201);
    const res = await postOrder(shop.shop, { ...ORDER, qty: 3 }, { "idempotency-key": key });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error, "idempotency_key_reused");
  });

  test("invalid orders are refused with JSON errors", TIMEOUT, async () => {
    const cases = [
      [{ name: "no items", email: "a@b.c", address: "x" }, 400],
      [{ ...ORDER, sku: "NOPE" }, 400],
      [{ ...ORDER, qty: 0 }, 400],
      [{ items: [] }, 400],
      ["not json", 400],
      ["[1,2]", 400],
    ];
    for (const [body, status] of cases) {
      const res = await postOrder(shop.shop, body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal((await res.json()).error, "invalid_order");
    }
    const text = await postOrder(shop.shop, "sku=x", { "content-type": "text/plain" });
    assert.equal(text.status, 415);
  });

  test("bodies over 1 MB are refused with 413", TIMEOUT, async () => {
    const res = await postOrder(shop.shop, { ...ORDER, note: "x".repeat(1024 * 1024) });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error, "payload_too_large");
  });

  test("a browser form order gets an HTML thank-you page; an API form order gets JSON", TIMEOUT, async () => {
    const form = new URLSearchParams({ ...ORDER, qty: "1" });
    const browser = await get(`${shop.shop}/api/orders`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html,application/xhtml+xml,*/*;q=0.8",
      },
      body: form,
    });
    assert.equal(browser.status, 201);
    assert.match(browser.headers.get("content-type"), /^text\/html/);
    assert.match(await browser.text(), /Thank you, order ORD-[0-9A-F]{10} received/);

    const api = await get(`${shop.shop}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    assert.equal(api.status, 201);
    const order = await api.json();
    const stored = await (await get(`${shop.shop}/api/orders/${order.orderId}`)).json();
    assert.equal(stored.body.name, "Ann Lee");
    assert.equal(stored.contentType, "application/x-www-form-urlencoded");
  });

  test("stayopen's replay headers are recorded and mark the order as replayed", TIMEOUT, async () => {
    const res = await postOrder(shop.shop, ORDER, {
      "idempotency-key": `replay-${Date.now()}`,
      "x-stayopen-reference": "ref-abc",
      "x-stayopen-queued-at": "2024-05-01T10:00:00.000Z",
    });
    assert.equal(res.status, 201);
    const stored = await (await get(`${shop.shop}/api/orders/${(await res.json()).orderId}`)).json();
    assert.equal(stored.replayed, true);
    assert.deepEqual(stored.headers, {
      "x-stayopen-reference": "ref-abc",
      "x-stayopen-queued-at": "2024-05-01T10:00:00.000Z",
    });
  });

  test("unknown order ids are a JSON 404", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/api/orders/ORD-NOPE`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).error, "not_found");
  });
});

describe("orders survive kill -9", { timeout: 60_000 }, () => {
  test("an acknowledged order and its idempotency key are still there after a crash and restart", TIMEOUT, async () => {
    const dataDir = makeDataDir();
    let shop = await startShop({ dataDir });
    try {
      const key = "crash-key";
      const created = await postOrder(shop.shop, ORDER, { "idempotency-key": key });
      assert.equal(created.status, 201);
      const { orderId } = await created.json();

      const { signal } = await shop.kill9();
      assert.equal(signal, "SIGKILL");
      const file = JSON.parse(readFileSync(join(dataDir, "orders.json"), "utf8"));
      assert.equal(file.orders[0].orderId, orderId);

      shop = await startShop({ dataDir, ports: shop.ports });
      const stored = await get(`${shop.shop}/api/orders/${orderId}`);
      assert.equal(stored.status, 200);

      const redelivered = await postOrder(shop.shop, ORDER, { "idempotency-key": key });
      assert.equal(redelivered.status, 200);
      assert.equal((await redelivered.json()).orderId, orderId);
      const { orders } = await (await get(`${shop.shop}/api/orders`)).json();
      assert.equal(orders.length, 1);
      assert.equal(orders[0].deliveries, 2);
    } finally {
      await shop.stop();
      removeDataDir(dataDir);
    }
  });
});
