import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import worker from "../../src/index";
import { FakeOrigin, type OriginMode } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

let origin: FakeOrigin;
let env: Env;
let page = 0;
/** A path no other test has used, since snapshots are shared within a test file. */
const fresh = (prefix = "/p") => `${prefix}/${++page}-${crypto.randomUUID().slice(0, 8)}`;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", BREAKER_FAILURES: "1000" });
});
afterEach(() => origin.stop());

describe("healthy pass-through", () => {
  it("passes status, headers and streamed body through unchanged", async () => {
    const path = fresh();
    const body = "x".repeat(200_000);
    const headers = {
      "content-type": "text/plain",
      "x-shop-header": "kept",
      etag: '"v1"',
      "cache-control": "public, max-age=60",
    };
    await origin.route(path, { status: 200, headers, body, chunks: 20 });

    const response = await dispatch(`https://shop.test${path}`, env);

    expect(response.status).toBe(200);
    for (const [name, value] of Object.entries(headers)) expect(response.headers.get(name)).toBe(value);
    expect(response.headers.get("x-stayopen-source")).toBe("origin");
    expect(await response.text()).toBe(body);
  });

  it("never passes on what only stayopen may say to the origin, nor the staff bypass cookie", async () => {
    const path = fresh();
    await dispatch(`https://shop.test${path}`, env, {
      headers: {
        "x-stayopen-queued-at": "2020-01-01T00:00:00.000Z",
        "x-stayopen-reference": "00aa",
        "webhook-id": "forged",
        "webhook-signature": "v1,AAAA",
        cookie: "theme=dark; __Host-stayopen-bypass=forged; cart=3",
      },
    });
    const [seen] = await origin.requests(path);
    for (const name of ["x-stayopen-queued-at", "x-stayopen-reference", "webhook-id", "webhook-signature"])
      expect(seen!.headers[name], name).toBeUndefined();
    expect(seen!.headers.cookie).toBe("theme=dark; cart=3");

    // Repeated Cookie headers arrive joined with ", "; and a request with only that cookie sends none.
    const [joined, only] = [fresh(), fresh()];
    await dispatch(`https://shop.test${joined}`, env, { headers: { cookie: "a=1, __Host-stayopen-bypass=forged" } });
    await dispatch(`https://shop.test${only}`, env, { headers: { cookie: "__Host-stayopen-bypass=forged" } });
    expect((await origin.requests(joined))[0]!.headers.cookie).toBe("a=1");
    expect((await origin.requests(only))[0]!.headers.cookie).toBeUndefined();
  });

  it("leaves redirects and 4xx answers untouched", async () => {
    const moved = fresh();
    const missing = fresh();
    await origin.route(moved, { status: 301, headers: { location: "/elsewhere" }, body: "" });
    await origin.route(missing, { status: 404, headers: { "content-type": "text/html" }, body: "<h1>not here</h1>" });

    const redirect = await dispatch(`https://shop.test${moved}`, env);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/elsewhere");

    const notFound = await dispatch(`https://shop.test${missing}`, env);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get("x-stayopen-source")).toBe("origin");
    expect(await notFound.text()).toBe("<h1>not here</h1>");
  });

  it("forwards the request's method, path, query and headers to the origin", async () => {
    const path = fresh();
    await dispatch(`https://shop.test${path}?b=2&a=1`, env, { headers: { "x-request-header": "yes" } });
    const [seen] = await origin.requests(`${path}?b=2&a=1`);
    expect(seen?.method).toBe("GET");
    expect(seen?.headers["x-request-header"]).toBe("yes");
    expect(seen?.headers["x-forwarded-host"]).toBe("shop.test");
  });
});

describe("when the origin fails", () => {
  const failures: [string, OriginMode][] = [
    ["refuses connections", { mode: "refuse" }],
    ["does not answer in time", { mode: "hang" }],
    ["resets the connection", { mode: "reset" }],
    ["answers 500", { mode: "status", status: 500 }],
    ["answers 502", { mode: "status", status: 502 }],
    ["answers 503", { mode: "status", status: 503 }],
    ["answers 504", { mode: "status", status: 504 }],
    ["answers 520", { mode: "status", status: 520 }],
    ["answers 527", { mode: "status", status: 527 }],
  ];

  for (const [what, mode] of failures) {
    it(`serves the snapshot with a banner when the origin ${what}`, async () => {
      const path = fresh();
      const live = await dispatch(`https://shop.test${path}`, env);
      expect(await live.text()).toContain("fresh from the origin");

      await origin.setMode(mode);
      const stale = await dispatch(`https://shop.test${path}`, env);

      expect(stale.status).toBe(200);
      expect(stale.headers.get("x-stayopen-source")).toBe("stale");
      expect(stale.headers.get("cache-control")).toBe("no-store");
      expect(stale.headers.get("age")).toMatch(/^\d+$/);
      const html = await stale.text();
      expect(html).toContain("fresh from the origin");
      expect(html).toMatch(
        /<body><section aria-label="Shop status" data-stayopen-banner[^>]*><p role="status"[^>]*>We're having trouble reaching our shop system\. Prices and stock shown as of <time datetime="[^"]+">/,
      );
    });
  }

  it("answers the branded 503 with Retry-After for a page without snapshot", async () => {
    await origin.setMode({ mode: "status", status: 502 });
    const response = await dispatch(`https://shop.test${fresh()}`, env, { headers: { accept: "text/html" } });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("120");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
    expect(html).toContain("be right back");
    expect(html).toContain('action="/__stayopen/notify"');
    expect(html).not.toContain("<script");
  });

  it("answers JSON clients with the JSON 503", async () => {
    await origin.setMode({ mode: "refuse" });
    const byAccept = await dispatch(`https://shop.test${fresh()}`, env, { headers: { accept: "application/json" } });
    expect(byAccept.status).toBe(503);
    expect(await byAccept.json()).toEqual({ error: "origin_unavailable", retryAfter: 120 });

    const byPath = await dispatch(`https://shop.test${fresh("/api")}`, env);
    expect(byPath.status).toBe(503);
    expect(byPath.headers.get("retry-after")).toBe("120");
    expect(await byPath.json()).toEqual({ error: "origin_unavailable", retryAfter: 120 });
  });

  it("serves non-HTML snapshots without modification", async () => {
    const path = fresh("/api/feed");
    const body = JSON.stringify({ products: [{ sku: "A", price: 100 }] });
    await origin.route(path, { headers: { "content-type": "application/json", etag: '"feed-1"' }, body });
    await (await dispatch(`https://shop.test${path}`, env)).text();

    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch(`https://shop.test${path}`, env);
    expect(stale.status).toBe(200);
    expect(stale.headers.get("content-type")).toBe("application/json");
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    expect(stale.headers.get("etag")).toBe('"feed-1"');
    expect(await stale.text()).toBe(body);
  });

  it("drops the ETag of a page the banner changed", async () => {
    const path = fresh();
    await origin.route(path, {
      headers: { "content-type": "text/html", etag: '"page-1"' },
      body: "<html><body><p>hello</p></body></html>",
    });
    expect((await dispatch(`https://shop.test${path}`, env)).headers.get("etag")).toBe('"page-1"');

    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch(`https://shop.test${path}`, env, { headers: { "if-none-match": '"page-1"' } });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("etag")).toBeNull();
    expect(await stale.text()).toContain("data-stayopen-banner");
  });

  it("lists critical pages that have snapshots on the maintenance page", async () => {
    const critical = fresh("/c");
    const criticalEnv = shopEnv({
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: "300",
      CRITICAL_PATHS: `${critical},/c/never-stored`,
    });
    await origin.route(critical, {
      headers: { "content-type": "text/html" },
      body: "<html><head><title>Coffee &amp; more · Café</title></head><body>c</body></html>",
    });
    await (await dispatch(`https://shop.test${critical}`, criticalEnv)).text();

    await origin.setMode({ mode: "refuse" });
    const html = await (await dispatch(`https://shop.test${fresh()}`, criticalEnv)).text();
    expect(html).toContain(`<a href="${critical}">Coffee &amp; more · Café</a>`);
    expect(html).not.toContain("/c/never-stored");
  });
});

describe("personalized pages", () => {
  const personal: [string, { headers?: Record<string, string> }, Record<string, string>][] = [
    ["sets a cookie", {}, { "content-type": "text/html", "set-cookie": "shop_session=abc; HttpOnly" }],
    ["is private", {}, { "content-type": "text/html", "cache-control": "private, max-age=0" }],
    ["is no-store", {}, { "content-type": "text/html", "cache-control": "no-store" }],
    ["varies on Cookie", {}, { "content-type": "text/html", vary: "Accept-Encoding, Cookie" }],
    [
      "was asked for with Authorization",
      { headers: { authorization: "Bearer shopper" } },
      { "content-type": "text/html" },
    ],
    [
      "was asked for with a session cookie",
      { headers: { cookie: "theme=dark; shop_session=s1" } },
      { "content-type": "text/html" },
    ],
    [
      "was asked for with a session cookie spelt another way",
      { headers: { cookie: "theme=dark; Shop_Session=s1" } },
      { "content-type": "text/html" },
    ],
    [
      "the CDN must not keep, whatever Cache-Control says",
      {},
      { "content-type": "text/html", "cache-control": "public, max-age=300", "cdn-cache-control": "no-store" },
    ],
  ];

  for (const [what, init, headers] of personal) {
    it(`never stores or serves a page that ${what}`, async () => {
      const path = fresh("/account");
      await origin.route(path, { headers, body: "<html><body>Hello Ada, your orders</body></html>" });
      const live = await dispatch(`https://shop.test${path}`, env, init);
      expect(await live.text()).toContain("Hello Ada");

      await origin.setMode({ mode: "refuse" });
      const later = await dispatch(`https://shop.test${path}`, env);
      expect(later.status).toBe(503);
      expect(await later.text()).not.toContain("Hello Ada");
    });
  }

  it("serves the public snapshot, not a personal page, to a logged-in shopper during an outage", async () => {
    const path = fresh();
    await (await dispatch(`https://shop.test${path}`, env)).text();
    await origin.setMode({ mode: "refuse" });
    const response = await dispatch(`https://shop.test${path}`, env, { headers: { cookie: "shop_session=s2" } });
    expect(response.headers.get("x-stayopen-source")).toBe("stale");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("anonymous session cookies (ANONYMOUS_COOKIES)", () => {
  const welcomed = { "content-type": "text/html", "set-cookie": "sid=fresh-visitor; Path=/; HttpOnly" };

  it("stores a page that only welcomes a cookieless visitor with a session, and serves it without the cookie", async () => {
    const anonymous = shopEnv({ ORIGIN_URL: origin.url, BREAKER_FAILURES: "1000", ANONYMOUS_COOKIES: "sid" });
    const path = fresh();
    await origin.route(path, { headers: welcomed, body: "<html><body>Our teas</body></html>" });
    const live = await dispatch(`https://shop.test${path}`, anonymous);
    // The shopper still gets the session the origin handed out.
    expect(live.headers.get("set-cookie")).toContain("sid=fresh-visitor");
    await live.text();

    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch(`https://shop.test${path}`, anonymous);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    expect(stale.headers.get("set-cookie")).toBeNull();
    expect(await stale.text()).toContain("Our teas");
  });

  it("stores nothing from a visitor who sent any cookie, nor without ANONYMOUS_COOKIES", async () => {
    const anonymous = shopEnv({ ORIGIN_URL: origin.url, BREAKER_FAILURES: "1000", ANONYMOUS_COOKIES: "sid" });
    const [withCookie, unconfigured] = [fresh(), fresh()];
    for (const path of [withCookie, unconfigured])
      await origin.route(path, { headers: welcomed, body: "<html><body>Hello Ada</body></html>" });
    await (await dispatch(`https://shop.test${withCookie}`, anonymous, { headers: { cookie: "theme=dark" } })).text();
    await (await dispatch(`https://shop.test${unconfigured}`, env)).text();

    await origin.setMode({ mode: "refuse" });
    expect((await dispatch(`https://shop.test${withCookie}`, anonymous)).status).toBe(503);
    expect((await dispatch(`https://shop.test${unconfigured}`, env)).status).toBe(503);
  });
});

describe("snapshot keys", () => {
  it("lets tracking parameters and query order share one snapshot", async () => {
    const path = fresh();
    await (await dispatch(`https://shop.test${path}?size=l&color=red`, env)).text();

    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch(`https://SHOP.test${path}?color=red&fbclid=zz&size=l`, env);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
  });

  it("keeps no snapshot from a request the key does not fully describe, so nobody stores a page for another", async () => {
    const poisoned: { query: string; headers: Record<string, string> }[] = [
      // An origin may echo what the key drops.
      { query: "?utm_source=%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers: {} },
      { query: "?utm_source=x;q=evil", headers: {} },
      { query: `?q=${"x".repeat(600)}`, headers: {} },
    ];
    for (const { query, headers } of poisoned) {
      const path = fresh();
      await origin.setMode({ mode: "ok" });
      await (await dispatch(`https://shop.test${path}${query}`, env, { headers })).text();
      await origin.setMode({ mode: "refuse" });
      const later = await dispatch(`https://shop.test${path}${query.startsWith("?q=") ? query : ""}`, env);
      expect(later.status, `${query} ${JSON.stringify(headers)}`).toBe(503);
    }
  });

  it("never passes a client's URL-, host-, scheme- or method-shaping headers to the origin; stayopen alone sets X-Forwarded-Host/-Proto", async () => {
    const shaping: Record<string, string> = {
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "http",
      "x-forwarded-port": "8443",
      "x-forwarded-server": "evil.example",
      "x-forwarded-scheme": "http",
      "x-forwarded-prefix": "/evil",
      "x-forwarded-ssl": "off",
      "x-forwarded-uri": "/admin",
      "x-host": "evil.example",
      "x-original-host": "evil.example",
      "x-original-url": "/admin",
      "x-rewrite-url": "/admin",
      "x-http-method-override": "DELETE",
      "x-http-method": "DELETE",
      "x-method-override": "DELETE",
      forwarded: "host=evil.example;proto=http",
      "front-end-https": "off",
    };
    const path = fresh();
    await origin.route(path, { headers: { "content-type": "text/html" }, body: "<p>the real page</p>" });
    const client = { "x-forwarded-for": "198.51.100.6", "cf-connecting-ip": "203.0.113.9" };
    await (await dispatch(`https://shop.test${path}`, env, { headers: { ...shaping, ...client } })).text();
    const [seen] = await origin.requests(path);
    expect(seen!.headers["x-forwarded-for"]).toBe("203.0.113.9");
    for (const name of Object.keys(shaping))
      if (name !== "x-forwarded-host" && name !== "x-forwarded-proto")
        expect(seen!.headers[name], name).toBeUndefined();
    expect(seen!.headers["x-forwarded-host"]).toBe("shop.test");
    expect(seen!.headers["x-forwarded-proto"]).toBe("https");
    // The origin saw only what the key describes, so the answer is the page's snapshot.
    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch(`https://shop.test${path}`, env);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    expect(await stale.text()).toContain("the real page");
  });

  it("keeps no snapshot from a request over another scheme than the shop's (SHOP_URL)", async () => {
    const shopOverHttps = shopEnv({ ORIGIN_URL: origin.url, SHOP_URL: "https://shop.test", BREAKER_FAILURES: "1000" });
    const [plain, secure] = [fresh(), fresh()];
    await (await dispatch(`http://shop.test${plain}`, shopOverHttps)).text();
    await (await dispatch(`https://shop.test${secure}`, shopOverHttps)).text();
    await origin.setMode({ mode: "refuse" });
    expect((await dispatch(`https://shop.test${plain}`, shopOverHttps)).status).toBe(503);
    expect((await dispatch(`https://shop.test${secure}`, shopOverHttps)).headers.get("x-stayopen-source")).toBe(
      "stale",
    );
  });

  it("keeps only the variant everyone gets of an answer that varies on request headers", async () => {
    const [json, language, page, dataRequest] = [fresh(), fresh(), fresh(), fresh()];
    await origin.route(json, { headers: { "content-type": "application/json", vary: "Accept" }, body: "{}" });
    await origin.route(language, { headers: { "content-type": "text/html", vary: "Accept-Language" }, body: "zz" });
    for (const path of [page, dataRequest])
      await origin.route(path, { headers: { "content-type": "text/html", vary: "Accept, RSC" }, body: "<p>page</p>" });
    const get = (path: string, headers: Record<string, string>) =>
      dispatch(`https://shop.test${path}`, env, { headers }).then((response) => response.text());
    await get(json, { accept: "application/json" });
    await get(language, { "accept-language": "zz" });
    await get(page, { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    await get(dataRequest, { accept: "text/html", rsc: "1" });

    await origin.setMode({ mode: "refuse" });
    expect((await dispatch(`https://shop.test${json}`, env)).status).toBe(503);
    expect((await dispatch(`https://shop.test${language}`, env)).status).toBe(503);
    expect((await dispatch(`https://shop.test${dataRequest}`, env)).status).toBe(503);
    // A plain page view of a page that varies (a framework's Vary: RSC, say) is the page everyone gets.
    expect((await dispatch(`https://shop.test${page}`, env)).headers.get("x-stayopen-source")).toBe("stale");
  });

  it("keeps repeated parameters in their order: ?sort=a&sort=b is not ?sort=b&sort=a", async () => {
    const path = fresh();
    await (await dispatch(`https://shop.test${path}?sort=a&sort=b`, env)).text();
    await origin.setMode({ mode: "refuse" });
    expect((await dispatch(`https://shop.test${path}?sort=a&sort=b`, env)).status).toBe(200);
    expect((await dispatch(`https://shop.test${path}?sort=b&sort=a`, env)).status).toBe(503);
  });

  it("keeps pages with different real parameters apart", async () => {
    const path = fresh();
    await (await dispatch(`https://shop.test${path}?page=1`, env)).text();
    await origin.setMode({ mode: "refuse" });
    const other = await dispatch(`https://shop.test${path}?page=2`, env);
    expect(other.status).toBe(503);
  });
});

describe("new snapshot keys per minute (SNAPSHOT_NEW_KEYS_PER_MIN)", () => {
  it("stores only the first new keys of a burst of random query strings", async () => {
    const capped = shopEnv({ ORIGIN_URL: origin.url, BREAKER_FAILURES: "1000", SNAPSHOT_NEW_KEYS_PER_MIN: "3" });
    const path = fresh();
    const queries = Array.from({ length: 8 }, (_, i) => `?q=${i}-${crypto.randomUUID().slice(0, 6)}`);
    for (const query of queries) await (await dispatch(`https://shop.test${path}${query}`, capped)).text();

    await origin.setMode({ mode: "refuse" });
    const statuses = [];
    for (const query of queries) statuses.push((await dispatch(`https://shop.test${path}${query}`, capped)).status);
    expect(statuses).toEqual([200, 200, 200, 503, 503, 503, 503, 503]);
  });

  it("never caps refreshing a page that has a snapshot", async () => {
    const capped = shopEnv({
      ORIGIN_URL: origin.url,
      BREAKER_FAILURES: "1000",
      SNAPSHOT_NEW_KEYS_PER_MIN: "1",
      SNAPSHOT_REFRESH_S: "1",
    });
    const [page, other] = [fresh(), fresh()];
    await origin.route(page, { headers: { "content-type": "text/html" }, body: "<p>price 10</p>" });
    await (await dispatch(`https://shop.test${page}`, capped)).text();
    // The minute's one new key is spent; another page gets none.
    await (await dispatch(`https://shop.test${other}`, capped)).text();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await origin.route(page, { headers: { "content-type": "text/html" }, body: "<p>price 12</p>" });
    await (await dispatch(`https://shop.test${page}`, capped)).text();

    await origin.setMode({ mode: "refuse" });
    expect(await (await dispatch(`https://shop.test${page}`, capped)).text()).toContain("price 12");
    expect((await dispatch(`https://shop.test${other}`, capped)).status).toBe(503);
  });
});

describe("HEAD", () => {
  it("passes HEAD through when healthy and answers from the snapshot when down", async () => {
    const path = fresh();
    await (await dispatch(`https://shop.test${path}`, env)).text();
    const live = await dispatch(`https://shop.test${path}`, env, { method: "HEAD" });
    expect(live.status).toBe(200);
    expect(live.headers.get("x-stayopen-source")).toBe("origin");
    expect((await origin.requests(path)).map((r) => r.method)).toContain("HEAD");

    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch(`https://shop.test${path}`, env, { method: "HEAD" });
    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    expect(await stale.text()).toBe("");

    const missing = await dispatch(`https://shop.test${fresh()}`, env, { method: "HEAD" });
    expect(missing.status).toBe(503);
    expect(missing.headers.get("retry-after")).toBe("120");
  });
});

describe("other requests", () => {
  it("answers a POST to a non-order path with a 503 instead of hanging", async () => {
    await origin.setMode({ mode: "hang" });
    const started = Date.now();
    // Timed without the background work after the answer (the health probe this failure asks for).
    const ctx = createExecutionContext();
    const request = new Request(`https://shop.test/contact`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "message=hi",
    });
    const response = await worker.fetch(request, env, ctx);
    expect(response.status).toBe(503);
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(Date.now() - started).toBeLessThan(2000);
    await waitOnExecutionContext(ctx);
  });

  it("proxies other methods to a healthy origin", async () => {
    const response = await dispatch(`https://shop.test/contact`, env, { method: "POST", body: "message=hi" });
    expect(response.status).toBe(200);
    const [seen] = await origin.requests("/contact");
    expect(seen?.method).toBe("POST");
    expect(seen?.body).toBe("message=hi");
  });
});

describe("circuit breaker", () => {
  it("stops waiting for a hanging origin once the breaker is open", async () => {
    const breakerEnv = shopEnv({
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: "1000",
      BREAKER_FAILURES: "2",
      BREAKER_COOLDOWN_MS: "60000",
    });
    await origin.setMode({ mode: "hang" });
    for (let i = 0; i < 2; i++) expect((await dispatch(`https://shop.test${fresh()}`, breakerEnv)).status).toBe(503);
    const sent = (await origin.requests()).length;

    const started = Date.now();
    const response = await dispatch(`https://shop.test${fresh()}`, breakerEnv);
    expect(response.status).toBe(503);
    // Half the deadline: far from what waiting would take, and room for a busy machine.
    expect(Date.now() - started).toBeLessThan(500);
    expect((await origin.requests()).length).toBe(sent);
  });
});

describe("configuration", () => {
  it("serves on when a value is bad: the variable is taken as unset and named in the admin status", async () => {
    const path = fresh();
    await origin.route(path, { status: 200, headers: { "content-type": "text/html" }, body: "served" });
    const badEnv = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "fast" });
    const response = await dispatch(`https://shop.test${path}`, badEnv);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("served");
    const status = await dispatch("https://shop.test/__stayopen/admin/status", badEnv, {
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    });
    const { configProblems } = (await status.json()) as { configProblems: { variable: string }[] };
    expect(configProblems.map((problem) => problem.variable)).toEqual(["ORIGIN_TIMEOUT_MS"]);
  });
});
