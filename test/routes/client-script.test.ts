import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import scriptSource from "../../static/client.browser.js?raw";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { parseConfig } from "../../src/config/schema";

let origin: FakeOrigin;
let env: Env;
let page = 0;
/** A path no other test has used, since snapshots are shared within a test file. */
const fresh = (prefix: string) => `${prefix}/${++page}-${crypto.randomUUID().slice(0, 8)}`;
const SCRIPT_TAG = /<script src="(\/__stayopen\/client\.js\?v=[0-9a-z]+)" defer(?: nonce="([^"]+)")?><\/script>/;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  const vars: Record<string, string> = {
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "300",
    BREAKER_FAILURES: "1000",
    CLIENT_SCRIPT_PATHS: "/checkout*, /cart/*/pay",
  };
  env = shopEnv(vars);
});
afterEach(() => origin.stop());

describe("CLIENT_SCRIPT_PATHS: the checkout helper on the shop's own checkout pages", () => {
  it("puts the script first in the head of a healthy checkout page, and drops the changed page's ETag", async () => {
    const path = fresh("/checkout");
    await origin.route(path, {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8", etag: '"shop-1"', "x-shop": "kept" },
      body: '<!doctype html><html><head><title>Checkout</title><script src="/shop.js" defer></script></head><body><button>Place order</button></body></html>',
    });

    const response = await dispatch(`https://shop.test${path}`, env);

    expect(response.status).toBe(200);
    expect(response.headers.get("x-stayopen-source")).toBe("origin");
    expect(response.headers.get("x-shop")).toBe("kept");
    expect(response.headers.get("etag")).toBeNull();
    const html = await response.text();
    expect(html).toMatch(
      /^<!doctype html><html><head><script src="\/__stayopen\/client\.js\?v=[0-9a-z]+" defer><\/script><title>Checkout<\/title><script src="\/shop\.js" defer>/,
    );
    expect(html).toContain("<button>Place order</button>");
  });

  it("matches patterns as ORDER_PATHS does, and leaves every other page and non-HTML answer alone", async () => {
    for (const path of ["/checkout", "/checkout/payment", "/checkouts", "/cart/abc/pay"])
      expect(await (await dispatch(`https://shop.test${path}`, env)).text(), path).toMatch(SCRIPT_TAG);
    for (const path of ["/", "/p/1", "/cart/abc/pay/more", "/cart/pay", "/api/checkout"])
      expect(await (await dispatch(`https://shop.test${path}`, env)).text(), path).not.toContain(
        "/__stayopen/client.js",
      );

    const json = fresh("/checkout");
    await origin.route(json, { status: 200, headers: { "content-type": "application/json" }, body: '{"a":1}' });
    expect(await (await dispatch(`https://shop.test${json}`, env)).text()).toBe('{"a":1}');
    const head = await dispatch(`https://shop.test/checkout`, env, { method: "HEAD" });
    expect(await head.text()).toBe("");

    const off = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", BREAKER_FAILURES: "1000" });
    expect(await (await dispatch(`https://shop.test/checkout`, off)).text()).not.toContain("/__stayopen/client.js");
  });

  it("injects it into the stale snapshot of a checkout page too, beside the banner", async () => {
    const path = fresh("/checkout");
    await dispatch(`https://shop.test${path}`, env); // stored as a snapshot
    await origin.setMode({ mode: "refuse" });

    const stale = await dispatch(`https://shop.test${path}`, env);

    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    const html = await stale.text();
    expect(html).toMatch(/<head><script src="\/__stayopen\/client\.js\?v=[0-9a-z]+" defer><\/script><title>/);
    expect(html).toContain("data-stayopen-banner");
    expect(html.match(/__stayopen\/client\.js/g)).toHaveLength(1);
  });

  it("lets the maintenance page of a checkout path run it (and nothing else) under stayopen's own policy", async () => {
    await origin.setMode({ mode: "refuse" });
    const path = fresh("/checkout/success");

    const response = await dispatch(`https://shop.test${path}`, env, { headers: { accept: "text/html" } });

    expect(response.status).toBe(503);
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(await response.text()).toMatch(SCRIPT_TAG);
    const policy = response.headers.get("content-security-policy")!;
    expect(policy).toMatch(/^default-src 'none'; .*; script-src 'self'$/);
    expect(policy.match(/script-src/g)).toHaveLength(1);
  });

  it("gives the script the nonce of a page whose policy allows nonced scripts only, and keeps the shop's policy", async () => {
    const path = fresh("/checkout");
    const policy = "default-src 'self'; script-src 'nonce-r4nd0m+/=' 'strict-dynamic'; style-src 'self'";
    await origin.route(path, {
      status: 200,
      headers: { "content-type": "text/html", "content-security-policy": policy },
      body: "<html><head></head><body>pay</body></html>",
    });

    const response = await dispatch(`https://shop.test${path}`, env);

    expect(SCRIPT_TAG.exec(await response.text())?.[2]).toBe("r4nd0m+/=");
    expect(response.headers.get("content-security-policy")).toBe(policy);
  });

  it("puts it at the start of the body of a page without a head tag", async () => {
    const path = fresh("/checkout");
    await origin.route(path, {
      status: 200,
      headers: { "content-type": "text/html" },
      body: "<body><p>pay</p></body>",
    });
    expect(await (await dispatch(`https://shop.test${path}`, env)).text()).toMatch(
      /^<body><script src="\/__stayopen\/client\.js\?v=[0-9a-z]+" defer><\/script><p>pay<\/p>/,
    );
  });

  it("rejects a path that does not start with /, naming the variable, and injects nothing meanwhile", () => {
    const config = parseConfig({
      ORIGIN_URL: "https://origin.example.com",
      CLIENT_SCRIPT_PATHS: "/checkout*,checkout",
    });
    expect(config.problems).toEqual([
      {
        variable: "CLIENT_SCRIPT_PATHS",
        message: 'CLIENT_SCRIPT_PATHS [1] is wrong: must list path patterns starting with / (e.g. "/checkout*")',
      },
    ]);
    expect(config.clientScriptPaths).toEqual([]);
  });
});

describe("GET /__stayopen/client.js", () => {
  it("serves static/client.browser.js as JavaScript, immutable at the version pages load", async () => {
    const html = await (await dispatch(`https://shop.test/checkout`, env)).text();
    const versioned = SCRIPT_TAG.exec(html)![1]!;

    const response = await dispatch(`https://shop.test${versioned}`, env);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-f]+"$/);
    expect(await response.text()).toBe(scriptSource);
  });

  it("serves the current script for a short while at any other version, also while the origin is down", async () => {
    await origin.setMode({ mode: "refuse" });
    for (const url of ["/__stayopen/client.js", "/__stayopen/client.js?v=old"]) {
      const response = await dispatch(`https://shop.test${url}`, env);
      expect(response.status, url).toBe(200);
      expect(response.headers.get("cache-control"), url).toBe("public, max-age=300");
      expect(await response.text()).toBe(scriptSource);
    }
  });
});
