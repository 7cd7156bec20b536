import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { varsShop } from "../../src/config/shop";
import type { Env } from "../../src/config/env";
import worker from "../../src/index";
import type { ExportLimits } from "../../src/static-backup/export";
import { listVersions } from "../../src/static-backup/prune";
import { forgetOriginHealth } from "../../src/origin/health";
import { originMonitor } from "../../src/origin/sync";
import { FakeOrigin } from "../support/origin";
import { originBack } from "../support/breaker";
import { dispatch, shopEnv } from "../support/worker";
import type { ReadinessReport } from "../../src/readiness/report";
import { exportStaticBackup } from "../../src/static-backup/export";
import { type StaticBackupStatus } from "../../src/static-backup/status";

const ADMIN = { authorization: "Bearer test-admin-token-0123456789" };
/** Small steps so a test can stop an export halfway. */
const STEP: ExportLimits = { objectsPerRun: 2, concurrency: 2, pauseMs: 0 };
/** PREWARM_MAX_AGE_S is 60: a new export starts once the published one is older than that. */
const LATER = 61_000;
/** The monitor's health probe: not an export fetch. */
const HEALTH_PATH = "/healthz";

let origin: FakeOrigin;
let id: string;
let base: string;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  id = crypto.randomUUID().slice(0, 8);
  base = `/sb-${id}`;
  const bucket = shopEnv().STATIC_BACKUP_BUCKET;
  for (let page = 0; page < 20; page++) {
    const listed = await bucket.list({ prefix: "exports/" });
    if (listed.objects.length === 0) break;
    await bucket.delete(listed.objects.map((object) => object.key));
  }
});
afterEach(async () => {
  await runInDurableObject(originMonitor(shopEnv(), "default", origin.url), (_instance, state) =>
    state.storage.deleteAlarm(),
  );
  forgetOriginHealth();
  await origin.stop();
});

function envFor(overrides: Record<string, string> = {}): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "1000",
    BREAKER_FAILURES: "1000",
    // A refused origin opens the breaker (its health probe fails too); a short cooldown lets a test bring it back.
    BREAKER_COOLDOWN_MS: "100",
    HEALTH_PATH,
    PROBE_INTERVAL_MS: "3600000",
    PROBE_IDLE_INTERVAL_MS: "0",
    SLOW_START_MS: "0",
    SHOP_URL: "https://shop.test",
    CRITICAL_PATHS: `${base}/home,${base}/c/coffee`,
    SITEMAP_URL: "",
    CATALOG_FEED_URL: "",
    PREWARM_MAX_AGE_S: "60",
    STATIC_BACKUP: "on",
    ...overrides,
  });
}

/** Two critical pages that share a stylesheet (which needs a font) and each show an image. */
async function shopPages(version: string): Promise<void> {
  const page = (title: string, image: string) =>
    `<!doctype html><html><head><title>${title}</title><link rel="stylesheet" href="${base}/site.css"></head>` +
    `<body><h1>${title} ${version}</h1><img src="${image}" srcset="${image} 1x" alt=""></body></html>`;
  await origin.route(`${base}/home`, {
    headers: { "content-type": "text/html; charset=utf-8" },
    body: page("Home", `${base}/img/hero.png`),
  });
  await origin.route(`${base}/c/coffee`, {
    headers: { "content-type": "text/html; charset=utf-8" },
    body: page("Coffee", `${base}/img/beans.png`),
  });
  await origin.route(`${base}/site.css`, {
    headers: { "content-type": "text/css" },
    body: `@font-face { src: url("fonts/brand.woff2") } body { color: #222 } /* ${version} */`,
  });
  for (const asset of ["/img/hero.png", "/img/beans.png", "/fonts/brand.woff2"])
    await origin.route(`${base}${asset}`, {
      headers: { "content-type": "application/octet-stream" },
      body: `${asset} ${version}`,
    });
}

/** Export steps until the run is finished; bounded. */
async function exportAll(env: Env, now = Date.now(), limits = STEP) {
  for (let step = 0; step < 20; step++) {
    const summary = await exportStaticBackup(env, varsShop(env), now, limits);
    if (!summary.ran || summary.finished) return summary;
  }
  throw new Error("the export never finished");
}

async function get(env: Env, path: string, init: RequestInit = {}) {
  const response = await dispatch(`https://shop.test${path}`, env, init);
  return { response, body: await response.text() };
}

async function staticBackup(env: Env): Promise<StaticBackupStatus> {
  const status = (await (
    await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: ADMIN })
  ).json()) as {
    staticBackup: StaticBackupStatus;
  };
  return status.staticBackup;
}

describe("the static backup's status", () => {
  it("says whether the bucket is bound also while the export is off", async () => {
    expect(await staticBackup(envFor({ STATIC_BACKUP: "off" }))).toMatchObject({ enabled: false, bound: true });
    const unbound = { ...envFor(), STATIC_BACKUP_BUCKET: undefined } as unknown as Env;
    expect(await staticBackup(unbound)).toMatchObject({ enabled: true, bound: false });
  });
});

describe("the static backup export", () => {
  it("writes every page and asset into a new version and flips the pointer only at the end", async () => {
    await shopPages("v1");
    const env = envFor();

    const first = await exportStaticBackup(env, varsShop(env), Date.now(), STEP);
    expect(first).toMatchObject({ ran: true, fetched: 2, finished: null });
    const running = await staticBackup(env);
    expect(running.published).toBeNull();
    expect(running.run).toMatchObject({ finished: null, pages: { listed: 2, stored: 2 } });
    expect(running.run!.pending).toBeGreaterThan(0);

    // Half-written versions are never served.
    await origin.setMode({ mode: "refuse" });
    expect((await get(env, `${base}/home`)).response.status).toBe(503);
    await originBack(env, origin);

    const done = await exportAll(env);
    expect(done).toMatchObject({ ran: true, pending: 0, finished: { outcome: "published" } });
    const published = (await staticBackup(env)).published!;
    expect(published.pages).toEqual({ listed: 2, stored: 2, failed: 0 });
    expect(published.assets).toEqual({ listed: 4, stored: 4, failed: 0 });
    expect(published.missingCritical).toEqual([]);
    for (const request of await origin.requests())
      expect(request.headers["user-agent"]).toBe(
        request.path === HEALTH_PATH ? "stayopen-health-probe" : "stayopen-prewarm",
      );
    expect(await origin.requests(`${base}/site.css`)).toHaveLength(1);
  });

  it("serves the published export with all its assets when the origin is down, marked backup, with the banner", async () => {
    await shopPages("v1");
    const env = envFor();
    await exportAll(env);
    await origin.setMode({ mode: "refuse" });

    const home = await get(env, `${base}/home`, { headers: { accept: "text/html" } });
    expect(home.response.status).toBe(200);
    expect(home.response.headers.get("x-stayopen-source")).toBe("backup");
    expect(home.response.headers.get("cache-control")).toBe("no-store");
    expect(home.response.headers.get("x-stayopen-stored-at")).toBeTruthy();
    expect(home.body).toContain("Home v1");
    expect(home.body).toContain("data-stayopen-banner");

    const css = await get(env, `${base}/site.css`);
    expect(css.response.headers.get("x-stayopen-source")).toBe("backup");
    expect(css.response.headers.get("content-type")).toBe("text/css");
    expect(css.body).toBe(`@font-face { src: url("fonts/brand.woff2") } body { color: #222 } /* v1 */`);
    for (const asset of ["/img/hero.png", "/img/beans.png", "/fonts/brand.woff2"]) {
      const served = await get(env, `${base}${asset}`);
      expect(served.response.headers.get("x-stayopen-source")).toBe("backup");
      expect(served.body).toBe(`${asset} v1`);
    }
    const head = await dispatch(`https://shop.test${base}/c/coffee`, env, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-stayopen-source")).toBe("backup");
  });

  it("lists the exported critical pages on the maintenance page when they have no snapshot", async () => {
    await shopPages("v1");
    const env = envFor();
    await exportAll(env);
    await origin.setMode({ mode: "refuse" });

    const missing = await get(env, `${base}/not-exported`, { headers: { accept: "text/html" } });
    expect(missing.response.status).toBe(503);
    expect(missing.body).toContain(`<a href="${base}/home">Home</a>`);
    expect(missing.body).toContain(`<a href="${base}/c/coffee">Coffee</a>`);
  });

  it("keeps serving the previous version while a newer export is only half written", async () => {
    await shopPages("v1");
    const env = envFor();
    await exportAll(env);

    await shopPages("v2");
    const partial = await exportStaticBackup(env, varsShop(env), Date.now() + LATER, { ...STEP, objectsPerRun: 1 });
    expect(partial).toMatchObject({ ran: true, fetched: 1, finished: null });
    await origin.setMode({ mode: "refuse" });
    expect((await get(env, `${base}/home`)).body).toContain("Home v1");
    expect((await get(env, `${base}/c/coffee`)).body).toContain("Coffee v1");

    await originBack(env, origin);
    expect(await exportAll(env, Date.now() + LATER)).toMatchObject({ ran: true, finished: { outcome: "published" } });
    await origin.setMode({ mode: "refuse" });
    expect((await get(env, `${base}/home`)).body).toContain("Home v2");
    expect((await get(env, `${base}/img/hero.png`)).body).toBe("/img/hero.png v2");
  });

  it("does not replace a good export with one that lost a critical page, and says why", async () => {
    await shopPages("v1");
    const env = envFor();
    await exportAll(env);
    await shopPages("v2");
    await origin.route(`${base}/c/coffee`, { status: 404, body: "gone" });

    const summary = await exportAll(env, Date.now() + LATER);
    expect(summary).toMatchObject({ ran: true, finished: { outcome: "abandoned" } });
    const status = await staticBackup(env);
    expect(status.run!.finished!.reason).toContain(`${base}/c/coffee`);
    await origin.setMode({ mode: "refuse" });
    expect((await get(env, `${base}/home`)).body).toContain("Home v1");
  });

  it("keeps refreshing the export when a critical page could never be exported", async () => {
    await shopPages("v1");
    await origin.route(`${base}/c/coffee`, { status: 404, body: "gone" });
    const env = envFor();
    expect(await exportAll(env)).toMatchObject({ finished: { outcome: "published" } });

    await shopPages("v2");
    await origin.route(`${base}/c/coffee`, { status: 404, body: "gone" });
    expect(await exportAll(env, Date.now() + LATER)).toMatchObject({ finished: { outcome: "published" } });
    await origin.setMode({ mode: "refuse" });
    expect((await get(env, `${base}/home`)).body).toContain("Home v2");
  });

  it("prefers a snapshot that is newer than the export", async () => {
    await shopPages("v1");
    const env = envFor();
    await exportAll(env);
    await shopPages("live");
    expect((await get(env, `${base}/home`)).body).toContain("Home live");

    await origin.setMode({ mode: "refuse" });
    const home = await get(env, `${base}/home`);
    expect(home.response.headers.get("x-stayopen-source")).toBe("stale");
    expect(home.body).toContain("Home live");
    const coffee = await get(env, `${base}/c/coffee`);
    expect(coffee.response.headers.get("x-stayopen-source")).toBe("backup");
    expect(coffee.body).toContain("Coffee v1");
  });

  it("keeps the published version and the one before it, and deletes older ones", async () => {
    await shopPages("v1");
    const env = envFor();
    const bucket = env.STATIC_BACKUP_BUCKET;
    await exportAll(env);
    const [first] = await listVersions(bucket, "default");
    await exportAll(env, Date.now() + LATER);
    await exportAll(env, Date.now() + 2 * LATER);

    const versions = await listVersions(bucket, "default");
    expect(versions).toHaveLength(2);
    expect(versions).not.toContain(first);
    expect((await staticBackup(env)).published!.version).toBe(versions[1]);
  });

  it("waits until the published export is older than PREWARM_MAX_AGE_S before starting another", async () => {
    await shopPages("v1");
    const env = envFor();
    await exportAll(env);
    const fetched = (await origin.requests()).length;
    expect(await exportStaticBackup(env, varsShop(env), Date.now(), STEP)).toEqual({
      ran: false,
      reason: "up_to_date",
    });
    expect(await origin.requests()).toHaveLength(fetched);
  });

  it("includes the product feed's product pages", async () => {
    await shopPages("v1");
    const feed = `${base}/feed.json`;
    await origin.route(feed, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        products: [
          { sku: "beans", name: "Beans", price: 1299, currency: "EUR", stock: 3, url: `${base}/p/beans` },
          { sku: "elsewhere", name: "Elsewhere", price: 100, currency: "EUR", url: "https://other.example.com/p/x" },
        ],
      }),
    });
    const env = envFor({ CATALOG_FEED_URL: feed });
    await exportAll(env);
    expect(await origin.requests(`${base}/p/beans`)).toHaveLength(1);

    await origin.setMode({ mode: "refuse" });
    const product = await get(env, `${base}/p/beans`);
    expect(product.response.headers.get("x-stayopen-source")).toBe("backup");
    expect(product.body).toContain(`Page ${base}/p/beans`);
  });

  it("without SHOP_URL, waits for a shopper's host, then exports for it", async () => {
    await shopPages("v1");
    const env = envFor({ SHOP_URL: "" });
    expect(await exportStaticBackup(env, varsShop(env), Date.now(), STEP)).toMatchObject({
      ran: false,
      reason: "no_shop_url",
    });
    await (await dispatch(`https://shop.test${base}/home`, env, { headers: { accept: "text/html" } })).text();
    expect(await exportAll(env)).toMatchObject({ ran: true, finished: { outcome: "published" } });
  });

  it("runs from the cron, within its bounds, and shows in the readiness report", async () => {
    await shopPages("v1");
    const env = envFor({ PREWARM_MAX_PAGES: "0" });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    expect((await staticBackup(env)).published).toMatchObject({ pages: { stored: 2 }, assets: { stored: 4 } });
    const report = (await (
      await dispatch("https://shop.test/__stayopen/admin/readiness", env, { headers: ADMIN })
    ).json()) as ReadinessReport;
    expect(report.staticBackup.published).not.toBeNull();
    expect(report.checks.find((check) => check.name === "static_backup")).toMatchObject({ ok: true });
  });

  it("is off by default: nothing exported, nothing in the readiness score", async () => {
    await shopPages("v1");
    const env = envFor({ STATIC_BACKUP: "" });
    expect(await exportStaticBackup(env, varsShop(env), Date.now(), STEP)).toEqual({ ran: false, reason: "disabled" });
    expect(await origin.requests()).toHaveLength(0);
    expect(await staticBackup(env)).toMatchObject({ enabled: false, published: null, run: null });
    const report = (await (
      await dispatch("https://shop.test/__stayopen/admin/readiness", env, { headers: ADMIN })
    ).json()) as ReadinessReport;
    expect(report.checks.some((check) => check.name === "static_backup")).toBe(false);
  });
});
