import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { get, makeDataDir, removeDataDir, startShop } from "../test-support/shop-process.mjs";

const TIMEOUT = { timeout: 10_000 };

describe("product feed", { timeout: 60_000 }, () => {
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

  test("GET /api/products has exactly the contract's shape", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/api/products`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "public, max-age=60");
    assert.match(res.headers.get("content-type"), /^application\/json/);
    const feed = await res.json();
    assert.deepEqual(Object.keys(feed), ["products"]);
    assert.equal(feed.products.length, 12);
    for (const [i, p] of feed.products.entries()) {
      assert.deepEqual(Object.keys(p).sort(), ["currency", "image", "name", "price", "sku", "stock", "url"]);
      assert.equal(typeof p.sku, "string");
      assert.ok(Number.isInteger(p.price) && p.price > 0);
      assert.equal(p.currency, "EUR");
      assert.ok(p.stock === null || Number.isInteger(p.stock));
      assert.equal(p.url, `/p/${i + 1}`);
      assert.equal(p.image, `/assets/img/${i + 1}.svg`);
    }
    assert.equal(new Set(feed.products.map((p) => p.sku)).size, 12);
    assert.ok(
      feed.products.some((p) => p.stock === null),
      "one product is untracked",
    );
    assert.ok(
      feed.products.some((p) => p.stock === 1),
      "one product has stock 1",
    );
  });

  test("feed prices match the rendered pages", TIMEOUT, async () => {
    const { products } = await (await get(`${shop.shop}/api/products`)).json();
    const p = products[0];
    const html = await (await get(`${shop.shop}${p.url}`)).text();
    const euros = `€${Math.floor(p.price / 100)}.${String(p.price % 100).padStart(2, "0")}`;
    assert.ok(html.includes(euros), `${p.url} shows ${euros}`);
  });

  test("GET /api/products/<sku> returns one product or a JSON 404", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/api/products/GEAR-FILT-100`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      sku: "GEAR-FILT-100",
      name: "Paper Filters, size 02, 100 pcs",
      price: 590,
      currency: "EUR",
      stock: null,
      url: "/p/12",
      image: "/assets/img/12.svg",
    });
    const missing = await get(`${shop.shop}/api/products/NOPE`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "not_found" });
    assert.equal((await get(`${shop.shop}/api/products/%E0%A4%A`)).status, 404);
  });
});
