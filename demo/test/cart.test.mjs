import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { get, makeDataDir, removeDataDir, startShop } from "../test-support/shop-process.mjs";

const TIMEOUT = { timeout: 10_000 };

function sessionFrom(res) {
  const cookie = res.headers.get("set-cookie");
  assert.ok(cookie, "a session cookie is set");
  return cookie.match(/shop_session=([^;]+)/)[1];
}

function addToCart(shop, cookie, sku, qty) {
  return get(`${shop}/cart/add`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie && { cookie }) },
    body: new URLSearchParams({ sku, qty: String(qty) }),
  });
}

describe("cart and session", { timeout: 60_000 }, () => {
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

  test("cart sets an HttpOnly session cookie and is private, no-store", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/cart`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const cookie = res.headers.get("set-cookie");
    assert.match(cookie, /^shop_session=[A-Za-z0-9_-]{22,}; HttpOnly; SameSite=Lax; Path=\/$/);
    const id = sessionFrom(res);
    const html = await res.text();
    assert.ok(html.includes(`<p data-session="${id}">Cart for session ${id}</p>`));
  });

  test("adding to the cart redirects to it and the cart shows only that session's items", TIMEOUT, async () => {
    const added = await addToCart(shop.shop, undefined, "TEA-GYOK-50", 2);
    assert.equal(added.status, 303);
    assert.equal(added.headers.get("location"), "/cart");
    const alice = sessionFrom(added);

    const again = await addToCart(shop.shop, `shop_session=${alice}`, "TEA-GYOK-50", 1);
    assert.equal(again.headers.get("set-cookie"), null, "an existing session is reused");

    const aliceCart = await (await get(`${shop.shop}/cart`, { headers: { cookie: `shop_session=${alice}` } })).text();
    assert.match(aliceCart, /Gyokuro Asahi 50 g/);
    assert.match(aliceCart, /<td>3<\/td>/);
    assert.match(aliceCart, /€63\.00/);

    const bobRes = await get(`${shop.shop}/cart`);
    const bob = sessionFrom(bobRes);
    const bobCart = await bobRes.text();
    assert.notEqual(bob, alice);
    assert.ok(!bobCart.includes(alice), "another shopper never sees Alice's session");
    assert.doesNotMatch(bobCart, /Gyokuro/);
  });

  test("adding an unknown product or a bad quantity is refused", TIMEOUT, async () => {
    assert.equal((await addToCart(shop.shop, undefined, "NOPE", 1)).status, 400);
    assert.equal((await addToCart(shop.shop, undefined, "TEA-GYOK-50", 0)).status, 400);
  });

  test("checkout needs a session, lists the cart and posts to /api/orders", TIMEOUT, async () => {
    const anonymous = await get(`${shop.shop}/checkout`);
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/cart");

    const cookie = `shop_session=${sessionFrom(await addToCart(shop.shop, undefined, "GEAR-KETTLE-1L", 1))}`;
    const res = await get(`${shop.shop}/checkout`, { headers: { cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const html = await res.text();
    assert.match(html, /Gooseneck Kettle/);
    assert.match(html, /<form method="post" action="\/api\/orders">/);

    const order = await get(`${shop.shop}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie },
      body: "sku=GEAR-KETTLE-1L&qty=1&from=checkout&name=Ann&email=ann%40example.com&address=Quay+1",
    });
    assert.equal(order.status, 201);
    assert.match(await order.text(), /Thank you, order ORD-[0-9A-F]+ received/);
    const after = await (await get(`${shop.shop}/cart`, { headers: { cookie } })).text();
    assert.match(after, /Your cart is empty/);
  });
});
