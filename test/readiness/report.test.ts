import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { score } from "../../src/readiness/report";
import { originPerTest, type FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import type { ReadinessReport } from "../../src/readiness/report";
import { runCron } from "./cron";

const TOKEN = "test-admin-token-0123456789";
let origin: FakeOrigin;
let id: string;
originPerTest((started) => {
  origin = started;
  id = crypto.randomUUID().slice(0, 8);
});

async function readiness(env: Env): Promise<ReadinessReport> {
  const response = await dispatch("https://shop.test/__stayopen/admin/readiness", env, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.json();
}

function envFor(overrides: Record<string, string> = {}): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "300",
    BREAKER_FAILURES: "1000",
    SHOP_URL: "https://shop.test",
    CRITICAL_PATHS: `/home-${id},/c/coffee-${id}`,
    SITEMAP_URL: `/sitemap-${id}.xml`,
    CATALOG_FEED_URL: "",
    ...overrides,
  });
}

describe("readiness report", () => {
  it("lists which critical and sitemap pages have snapshots, and the score rises as they get one", async () => {
    await origin.route(`/sitemap-${id}.xml`, {
      headers: { "content-type": "application/xml" },
      body: `<urlset><url><loc>https://shop.test/p/1-${id}</loc></url><url><loc>https://shop.test/home-${id}</loc></url></urlset>`,
    });
    const env = envFor();

    const before = await readiness(env);
    const pagesOf = (report: ReadinessReport) => report.pages.filter((page) => page.kind !== "well_known");
    expect(pagesOf(before).map(({ path, kind, snapshot }) => ({ path, kind, snapshot }))).toEqual([
      { path: `/home-${id}`, kind: "critical", snapshot: false },
      { path: `/c/coffee-${id}`, kind: "critical", snapshot: false },
      { path: `/p/1-${id}`, kind: "sitemap", snapshot: false },
    ]);
    expect(before.checks.find((check) => check.name === "critical_pages")).toMatchObject({ ok: false });
    expect(before.fix[0]).toContain(`/home-${id}`);

    await (await dispatch(`https://shop.test/home-${id}`, env)).text();

    const after = await readiness(env);
    const home = after.pages.find((page) => page.path === `/home-${id}`);
    expect(home).toMatchObject({ snapshot: true, servable: true });
    expect(home?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(after.pages.find((page) => page.path === `/c/coffee-${id}`)).toMatchObject({
      snapshot: false,
      ageSeconds: null,
    });
    expect(after.score).toBeGreaterThan(before.score);
  });

  it("names the rule that stopped each page, and says to set ANONYMOUS_COOKIES when one session cookie stops them all", async () => {
    const welcomed = { "content-type": "text/html", "set-cookie": "sid=new-visitor; Path=/; HttpOnly" };
    for (const path of [`/home-${id}`, `/c/coffee-${id}`])
      await origin.route(path, { headers: welcomed, body: "<p>teas</p>" });
    const env = envFor({ SITEMAP_URL: "" });
    await runCron(env);

    const report = await readiness(env);
    expect(report.pages.find((page) => page.path === `/home-${id}`)).toMatchObject({
      servable: false,
      refused: "set_cookie:sid",
    });
    expect(report.checks.find((check) => check.name === "critical_pages")?.detail).toContain(
      `/home-${id} (not stored: set_cookie:sid)`,
    );
    expect(report.fix[0]).toContain("ANONYMOUS_COOKIES=sid");
    // One score, one list: the advice adds no check of its own.
    expect(report.checks.map((check) => check.name)).not.toContain("anonymous_cookies");

    const anonymous = envFor({ SITEMAP_URL: "", ANONYMOUS_COOKIES: "sid", PREWARM_MAX_AGE_S: "60" });
    await runCron(anonymous);
    const after = await readiness(anonymous);
    expect(after.pages.find((page) => page.path === `/home-${id}`)).toMatchObject({ servable: true });
    expect(after.pages.find((page) => page.path === `/home-${id}`)?.refused).toBeUndefined();
    expect(after.fix.join(" ")).not.toContain("ANONYMOUS_COOKIES");
    expect(after.score).toBeGreaterThan(report.score);
  });

  it("names a private or CDN no-store page's rule, and gives no ANONYMOUS_COOKIES advice for it", async () => {
    await origin.route(`/home-${id}`, {
      headers: { "content-type": "text/html", "cache-control": "private" },
      body: "x",
    });
    await origin.route(`/c/coffee-${id}`, {
      headers: { "content-type": "text/html", "cdn-cache-control": "no-store" },
      body: "x",
    });
    const env = envFor({ SITEMAP_URL: "" });
    await runCron(env);
    const report = await readiness(env);
    expect(report.pages.filter((page) => page.kind === "critical").map((page) => page.refused)).toEqual([
      "private",
      "cdn_cache_control:no-store",
    ]);
    expect(report.fix.join(" ")).not.toContain("ANONYMOUS_COOKIES");
  });

  it("checks configuration and secrets, and says what to fix", async () => {
    const report = await readiness(
      envFor({ SHOP_URL: "", SITEMAP_URL: "", SUPPORT_EMAIL: "", NOTIFY_WEBHOOK_URL: "" }),
    );
    const byName = Object.fromEntries(report.checks.map((check) => [check.name, check.ok]));
    expect(byName).toMatchObject({
      admin_token: true,
      replay_secret: true,
      order_paths: true,
      shop_url: false,
      sitemap_pages: false,
      support_email: false,
      catalog_feed: false,
      notify_webhook: false,
    });
    expect(report.fix.some((fix) => fix.includes("NOTIFY_WEBHOOK_URL") && fix.includes("CSV"))).toBe(true);
    expect(report.shopUrl).toBeNull();
    expect(report.fix.some((fix) => fix.includes("SHOP_URL") && fix.includes("first shopper request"))).toBe(true);
    expect(report.fix.some((fix) => fix.includes("SUPPORT_EMAIL"))).toBe(true);
    expect(report.score).toBeGreaterThanOrEqual(0);
    expect(report.score).toBeLessThan(50);
  });

  it("names the feed on the shop's own scheme and host", async () => {
    const env = envFor({ SHOP_URL: "http://shop.test", CATALOG_FEED_URL: `/feed-${id}.json` });
    const report = await readiness(env);
    expect(report.pages.find((page) => page.kind === "feed")).toMatchObject({
      path: `/feed-${id}.json`,
      url: `http://shop.test/feed-${id}.json`,
    });
  });

  it("is part of the admin API: 401 without the token", async () => {
    expect((await dispatch("https://shop.test/__stayopen/admin/readiness", envFor())).status).toBe(401);
  });
});

describe("score", () => {
  it("is the weighted share of what is met, 0 to 100", () => {
    const check = (weight: number, met: number) => ({ name: "c", ok: met === 1, detail: "", fix: "", weight, met });
    expect(score([check(40, 1), check(60, 0)])).toBe(40);
    expect(score([check(50, 0.5), check(50, 1)])).toBe(75);
    expect(score([check(10, 1)])).toBe(100);
    expect(score([])).toBe(0);
  });
});
