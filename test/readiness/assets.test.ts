import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { runCron } from "./cron";
import type { ReadinessReport } from "../../src/readiness/report";

let origin: FakeOrigin;
let base: string;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  base = `/assets-${crypto.randomUUID().slice(0, 8)}`;
});
afterEach(() => origin.stop());

function envFor(overrides: Record<string, string> = {}): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "1000",
    BREAKER_FAILURES: "1000",
    SHOP_URL: "https://shop.test",
    CRITICAL_PATHS: `${base}/home`,
    SITEMAP_URL: "",
    CATALOG_FEED_URL: "",
    ...overrides,
  });
}

const ASSETS = ["/css/site.css", "/js/app.js", "/img/hero.png", "/img/hero-2x.png", "/fonts/brand.woff2"];

/** A home page whose look depends on a stylesheet (with a font), a script and an image with a 2x variant. */
async function homeWithAssets(): Promise<void> {
  await origin.route(`${base}/home`, {
    headers: { "content-type": "text/html; charset=utf-8" },
    body:
      `<!doctype html><html><head><title>Home</title><link rel="stylesheet" href="${base}/css/site.css">` +
      `<script src="${base}/js/app.js"></script></head><body><h1>Home</h1>` +
      `<img src="${base}/img/hero.png" srcset="${base}/img/hero-2x.png 2x" alt="Our beans"></body></html>`,
  });
  await origin.route(`${base}/css/site.css`, {
    headers: { "content-type": "text/css" },
    body: `@font-face { font-family: Brand; src: url(../fonts/brand.woff2) format("woff2") }`,
  });
  for (const asset of ASSETS.slice(1))
    await origin.route(`${base}${asset}`, {
      headers: { "content-type": "application/octet-stream" },
      body: `bytes of ${asset}`,
    });
}

async function readiness(env: Env): Promise<ReadinessReport> {
  const response = await dispatch("https://shop.test/__stayopen/admin/readiness", env, {
    headers: { authorization: "Bearer test-admin-token-0123456789" },
  });
  return response.json();
}

describe("complete offline pages", () => {
  it("pre-warms the stylesheets, scripts, fonts and images of critical pages and serves them while the origin is down", async () => {
    await homeWithAssets();
    const env = envFor();
    await runCron(env);
    for (const asset of ASSETS) expect(await origin.requests(`${base}${asset}`)).toHaveLength(1);

    await origin.setMode({ mode: "refuse" });
    const page = await dispatch(`https://shop.test${base}/home`, env, { headers: { accept: "text/html" } });
    expect(page.headers.get("x-stayopen-source")).toBe("stale");
    await page.text();
    const css = await dispatch(`https://shop.test${base}/css/site.css`, env);
    expect(css.headers.get("x-stayopen-source")).toBe("stale");
    expect(css.headers.get("content-type")).toBe("text/css");
    expect(await css.text()).toContain("brand.woff2");
    for (const asset of ASSETS.slice(1)) {
      const served = await dispatch(`https://shop.test${base}${asset}`, env);
      expect(served.status).toBe(200);
      expect(await served.text()).toBe(`bytes of ${asset}`);
    }
  });

  it("lists critical pages whose assets are missing, until the pre-warm has them", async () => {
    await homeWithAssets();
    const env = envFor();
    await (await dispatch(`https://shop.test${base}/home`, env)).text();

    const before = await readiness(env);
    expect(before.assets).toEqual([
      {
        path: `${base}/home`,
        assets: 4,
        missing: [`${base}/css/site.css`, `${base}/js/app.js`, `${base}/img/hero.png`, `${base}/img/hero-2x.png`],
      },
    ]);
    const check = before.checks.find((entry) => entry.name === "critical_assets");
    expect(check).toMatchObject({ ok: false });
    expect(check!.detail).toContain(`${base}/home (4 of 4 missing)`);

    await runCron(env);
    const after = await readiness(env);
    expect(after.assets).toEqual([{ path: `${base}/home`, assets: 5, missing: [] }]);
    expect(after.checks.find((entry) => entry.name === "critical_assets")).toMatchObject({ ok: true });
    expect(after.score).toBeGreaterThan(before.score);
  });

  it("fetches at most PREWARM_MAX_PAGES assets per run", async () => {
    await homeWithAssets();
    const env = envFor({ PREWARM_MAX_PAGES: "2" });
    await runCron(env);
    const assetFetches = (await origin.requests()).filter((request) => request.path !== `${base}/home`);
    expect(assetFetches).toHaveLength(2);
  });
});
