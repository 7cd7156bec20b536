import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { escapeHtml } from "../pages.mjs";
import { get, makeDataDir, postOrder, removeDataDir, startShop } from "../test-support/shop-process.mjs";

const TIMEOUT = { timeout: 10_000 };

describe("shop pages", { timeout: 60_000 }, () => {
  let shop;
  let dataDir;
  before(async () => {
    dataDir = makeDataDir();
    shop = await startShop({ dataDir, env: { SHOP_LABEL: "backup <b>" } });
  });
  after(async () => {
    await shop?.stop();
    removeDataDir(dataDir);
  });

  function assertAccessiblePage(html) {
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>[^<]+<\/title>/);
    assert.match(html, /<main id="main"/);
    assert.match(html, /<a class="skip-link" href="#main">/);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/shop.css">/);
    assert.doesNotMatch(html, /<script/);
    for (const img of html.match(/<img [^>]*>/g) ?? []) assert.match(img, /alt="[^"]+"/);
  }

  test("home page is public, cacheable and links to every category", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "public, max-age=60");
    assert.equal(res.headers.get("set-cookie"), null);
    const html = await res.text();
    assertAccessiblePage(html);
    for (const slug of ["coffee", "tea", "gear"]) assert.ok(html.includes(`href="/c/${slug}"`));
    assert.match(html, /Featured/);
  });

  test("footer shows the escaped SHOP_LABEL", TIMEOUT, async () => {
    const html = await (await get(`${shop.shop}/`)).text();
    assert.ok(html.includes("backup &lt;b&gt; origin"));
    assert.ok(!html.includes("backup <b>"));
  });

  test("category pages list their products; unknown categories are 404 pages", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/c/tea`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assertAccessiblePage(html);
    assert.equal(html.match(/class="card"/g).length, 4);
    const missing = await get(`${shop.shop}/c/biscuits`);
    assert.equal(missing.status, 404);
    assertAccessiblePage(await missing.text());
  });

  test("product page shows price, stock, image and both order forms", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/p/2`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assertAccessiblePage(html);
    assert.match(html, /€12\.90/);
    assert.match(html, /Only 1 left/);
    assert.match(html, /<img src="\/assets\/img\/2\.svg" alt="Colombia Huila/);
    assert.match(html, /<form class="add-to-cart" method="post" action="\/cart\/add">/);
    assert.match(html, /<form method="post" action="\/api\/orders">/);
    for (const field of ["sku", "qty", "name", "email", "address"]) assert.match(html, new RegExp(`name="${field}"`));
    assert.equal((await get(`${shop.shop}/p/13`)).status, 404);
    assert.equal((await get(`${shop.shop}/p/abc`)).status, 404);
  });

  test("every product has a page and an SVG image with a title", TIMEOUT, async () => {
    for (let id = 1; id <= 12; id++) {
      assert.equal((await get(`${shop.shop}/p/${id}`)).status, 200, `/p/${id}`);
      const img = await get(`${shop.shop}/assets/img/${id}.svg`);
      assert.equal(img.status, 200);
      assert.equal(img.headers.get("content-type"), "image/svg+xml");
      assert.match(await img.text(), /<title id="t">[^<]+<\/title>/);
    }
  });

  test("static assets, favicon, robots and health", TIMEOUT, async () => {
    const css = await get(`${shop.shop}/assets/shop.css`);
    assert.equal(css.status, 200);
    assert.equal(css.headers.get("cache-control"), "public, max-age=3600");
    assert.match(css.headers.get("content-type"), /^text\/css/);
    assert.equal((await get(`${shop.shop}/favicon.ico`)).status, 204);
    const robots = await get(`${shop.shop}/robots.txt`);
    assert.match(await robots.text(), /Sitemap: http:\/\/127\.0\.0\.1:\d+\/sitemap\.xml/);
    const health = await get(`${shop.shop}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "ok");
  });

  test("sitemap uses the forwarded host and protocol", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/sitemap.xml`, {
      headers: { "x-forwarded-host": "shop.example.com", "x-forwarded-proto": "https" },
    });
    assert.equal(res.status, 200);
    const xml = await res.text();
    const locs = [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    assert.equal(locs.length, 1 + 3 + 12);
    assert.ok(locs.includes("https://shop.example.com/"));
    assert.ok(locs.includes("https://shop.example.com/c/gear"));
    assert.ok(locs.includes("https://shop.example.com/p/12"));
    const hostile = await (
      await get(`${shop.shop}/sitemap.xml`, { headers: { "x-forwarded-host": 'evil"><x' } })
    ).text();
    assert.doesNotMatch(hostile, /evil/);
  });

  test("redirects and the login page", TIMEOUT, async () => {
    const moved = await get(`${shop.shop}/redirect-me`);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.get("location"), "/");
    const account = await get(`${shop.shop}/account`);
    assert.equal(account.status, 302);
    assert.equal(account.headers.get("location"), "/login");
    const login = await get(`${shop.shop}/login`);
    assert.equal(login.status, 200);
    assertAccessiblePage(await login.text());
  });

  test("HEAD is answered like GET without a body; unknown methods get 405", TIMEOUT, async () => {
    const head = await get(`${shop.shop}/p/1`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    const del = await get(`${shop.shop}/p/1`, { method: "DELETE" });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get("allow"), "GET, HEAD");
  });

  test("/big streams about 5 MB in chunks", TIMEOUT, async () => {
    const res = await get(`${shop.shop}/big`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), null);
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
    let bytes = 0;
    let reads = 0;
    let last = "";
    for await (const chunk of res.body) {
      bytes += chunk.length;
      reads += 1;
      last = chunk;
    }
    assert.equal(bytes, 5 * 1024 * 1024);
    assert.ok(reads > 1, "body arrived in more than one piece");
    assert.match(Buffer.from(last).toString(), /chunk 079 of 80/);
  });

  test("escapeHtml escapes all five special characters", () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});

describe("DEMO_SHOP: one of the --shops demo's shops", { timeout: 60_000 }, () => {
  let beta;
  let harbour;
  let dataDirs;
  before(async () => {
    dataDirs = [makeDataDir(), makeDataDir()];
    [beta, harbour] = await Promise.all([
      startShop({ dataDir: dataDirs[0], env: { DEMO_SHOP: "beta" } }),
      startShop({ dataDir: dataDirs[1] }),
    ]);
  });
  after(async () => {
    await Promise.all([beta?.stop(), harbour?.stop()]);
    for (const dir of dataDirs ?? []) removeDataDir(dir);
  });

  test("pages carry the shop's name, colour and logo; Harbour's carry neither", TIMEOUT, async () => {
    const html = await (await get(`${beta.shop}/`)).text();
    assert.match(html, /<title>[^<]* · Beta Tea House<\/title>/);
    assert.match(html, /<style>:root \{ --accent: #166534; \}<\/style>/);
    assert.match(
      html,
      /<a class="brand" href="\/"><img class="logo" src="\/assets\/logo.svg" alt=""[^>]*> Beta Tea House<\/a>/,
    );
    const plain = await (await get(`${harbour.shop}/`)).text();
    assert.match(plain, /<title>[^<]* · Harbour Coffee &amp; Tea<\/title>/);
    assert.doesNotMatch(plain, /<style>|class="logo"|Beta/);
  });

  test("the logo is an SVG in the shop's colour with its name as title", TIMEOUT, async () => {
    const res = await get(`${beta.shop}/assets/logo.svg`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/svg+xml");
    const svg = await res.text();
    assert.match(svg, /fill="#166534"/);
    assert.match(svg, /<title id="t">Beta Tea House<\/title>/);
  });

  test("its catalog names are its own, in pages, the feed and orders; the SKUs are the same", TIMEOUT, async () => {
    assert.match(await (await get(`${beta.shop}/p/6`)).text(), /<h1>Beta Gyokuro Asahi 50 g<\/h1>/);
    const feed = await (await get(`${beta.shop}/api/products/TEA-GYOK-50`)).json();
    assert.equal(feed.name, "Beta Gyokuro Asahi 50 g");
    const harbourFeed = await (await get(`${harbour.shop}/api/products/TEA-GYOK-50`)).json();
    assert.equal(harbourFeed.name, "Gyokuro Asahi 50 g");
    const order = await postOrder(beta.shop, { sku: "TEA-GYOK-50", qty: 2, name: "A", email: "a@example.com" });
    assert.equal(order.status, 201);
    const listed = await (await get(`${beta.shop}/api/orders`)).json();
    assert.deepEqual(
      listed.orders.flatMap((o) => o.items.map((i) => i.name)),
      ["Beta Gyokuro Asahi 50 g"],
    );
  });

  test("an unknown DEMO_SHOP stops the server with the names it takes", TIMEOUT, async () => {
    const dataDir = makeDataDir();
    try {
      await assert.rejects(
        startShop({ dataDir, env: { DEMO_SHOP: "delta" } }),
        /DEMO_SHOP must be one of alpha, beta, gamma/,
      );
    } finally {
      removeDataDir(dataDir);
    }
  });
});
