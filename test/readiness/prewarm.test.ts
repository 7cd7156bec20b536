import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { varsShop } from "../../src/config/shop";
import type { Env } from "../../src/config/env";
import type { PageCoverage } from "../../src/coverage/targets";
import { WELL_KNOWN_PATHS } from "../../src/coverage/targets";
import { duePages, prewarm } from "../../src/readiness/prewarm";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { runCron, servedWhileDown } from "./cron";

let origin: FakeOrigin;
let id: string;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  id = crypto.randomUUID().slice(0, 8);
});
afterEach(() => origin.stop());

const paths = (count: number) => Array.from({ length: count }, (_, i) => `/warm-${id}/${i}`);

function envFor(overrides: Record<string, string>): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "1000",
    SHOP_URL: "https://shop.test",
    SITEMAP_URL: "",
    CATALOG_FEED_URL: "",
    ...overrides,
  });
}

describe("cron pre-warm", () => {
  it("stores missing critical pages, at most PREWARM_MAX_PAGES per run, with its own User-Agent", async () => {
    const critical = paths(5);
    const env = envFor({ CRITICAL_PATHS: critical.join(","), PREWARM_MAX_PAGES: "3" });

    const pages = async () => (await origin.requests()).filter((request) => request.path.startsWith(`/warm-${id}/`));
    await runCron(env);
    const first = await origin.requests();
    expect(first).toHaveLength(3);
    expect(first.every((request) => request.headers["user-agent"] === "stayopen-prewarm")).toBe(true);

    await runCron(env);
    expect(await pages()).toHaveLength(5);
    expect(new Set((await pages()).map((request) => request.path))).toEqual(new Set(critical));

    await runCron(env);
    expect(await pages()).toHaveLength(5);

    await origin.setMode({ mode: "refuse" });
    for (const path of critical) expect(await servedWhileDown(env, `https://shop.test${path}`)).toBe(true);
  });

  it("keeps at most four fetches in flight", async () => {
    const env = envFor({ CRITICAL_PATHS: paths(8).join(","), PREWARM_MAX_PAGES: "8" });
    await origin.setMode({ mode: "slow", delayMs: 200 });

    await runCron(env);
    const arrivals = (await origin.requests()).map((request) => request.at).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(8);
    for (let i = 0; i + 4 < arrivals.length; i++) expect(arrivals[i + 4]! - arrivals[i]!).toBeGreaterThanOrEqual(150);
  });

  it("pre-warms the product feed and the sitemap's pages too", async () => {
    const feed = `/feed-${id}.json`;
    await origin.route(feed, {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        products: [
          { sku: "beans", name: "Beans", price: 1299, currency: "EUR", stock: 4, url: "/p/beans", image: "/b.jpg" },
        ],
      }),
    });
    await origin.route(`/sitemap-${id}.xml`, {
      headers: { "content-type": "application/xml" },
      body: `<urlset><url><loc>https://shop.test/p/${id}</loc></url></urlset>`,
    });
    const env = envFor({ CRITICAL_PATHS: `/c-${id}`, CATALOG_FEED_URL: feed, SITEMAP_URL: `/sitemap-${id}.xml` });

    await runCron(env);
    const fetched = new Set(
      (await origin.requests()).map((request) => request.path).filter((path) => !WELL_KNOWN_PATHS.includes(path)),
    );
    expect(fetched).toEqual(new Set([`/sitemap-${id}.xml`, `/c-${id}`, feed, `/p/${id}`]));
    await origin.setMode({ mode: "refuse" });
    expect(await servedWhileDown(env, `https://shop.test/p/${id}`)).toBe(true);
  });

  it("pre-warms /favicon.ico, /robots.txt and /sitemap.xml with the critical pages", async () => {
    const env = envFor({ SHOP_URL: `https://wk-${id}.test`, CRITICAL_PATHS: `/c-${id}` });
    await origin.route("/robots.txt", { headers: { "content-type": "text/plain" }, body: "User-agent: *" });
    await origin.route("/favicon.ico", { headers: { "content-type": "image/x-icon" }, body: "icon" });
    await origin.route("/sitemap.xml", { headers: { "content-type": "application/xml" }, body: "<urlset/>" });

    await runCron(env);
    const fetched = new Set((await origin.requests()).map((request) => request.path));
    expect(fetched).toEqual(new Set([`/c-${id}`, ...WELL_KNOWN_PATHS]));
    await origin.setMode({ mode: "refuse" });
    for (const path of WELL_KNOWN_PATHS)
      expect(await servedWhileDown(env, `https://wk-${id}.test${path}`), path).toBe(true);
  });

  it("logs the rule that refused each page, and the setting that would store them", async () => {
    const welcomed = { "content-type": "text/html", "set-cookie": "sid=new-visitor; Path=/" };
    const critical = paths(3);
    for (const path of critical) await origin.route(path, { headers: welcomed, body: "<p>page</p>" });
    const env = envFor({ CRITICAL_PATHS: critical.join(",") });

    const summary = await prewarm(env, varsShop(env));
    const run = summary.ran ? summary.origins[0] : undefined;
    expect(run).toMatchObject({ ran: true, results: { refused: 3 }, refusedBy: { "set_cookie:sid": 3 } });
    expect(run?.ran && run.hint).toContain("ANONYMOUS_COOKIES=sid");

    const anonymous = envFor({ CRITICAL_PATHS: critical.join(","), ANONYMOUS_COOKIES: "sid" });
    await runCron(anonymous);
    await origin.setMode({ mode: "refuse" });
    for (const path of critical) expect(await servedWhileDown(anonymous, `https://shop.test${path}`)).toBe(true);
  });

  it("does nothing while the breaker is open", async () => {
    // The breaker opens once the monitor's health probe fails too; that probe is not the pre-warm.
    const health = `/health-${id}`;
    const env = envFor({
      CRITICAL_PATHS: paths(3).join(","),
      BREAKER_FAILURES: "1",
      BREAKER_COOLDOWN_MS: "60000",
      HEALTH_PATH: health,
    });
    await origin.setMode({ mode: "status", status: 502 });
    await (await dispatch(`https://shop.test/trip-${id}`, env)).text();
    await origin.setMode({ mode: "ok" });
    expect((await origin.requests()).map((request) => request.path)).toContain(health);

    await runCron(env);
    const sent = (await origin.requests()).map((request) => request.path).filter((path) => path !== health);
    expect(sent).toEqual([`/trip-${id}`]);
  });

  it("does nothing without SHOP_URL or a shopper request, and says so", async () => {
    const env = envFor({ SHOP_URL: "", CRITICAL_PATHS: paths(2).join(",") });
    expect(await prewarm(env, varsShop(env))).toEqual({ ran: false, reason: "no_shop_url" });
    await runCron(env);
    expect(await origin.requests()).toHaveLength(0);
  });
});

describe("duePages", () => {
  const page = (path: string, kind: PageCoverage["kind"], ageSeconds: number | null, servable = ageSeconds !== null) =>
    ({
      path,
      kind,
      url: `https://shop.test${path}`,
      snapshot: ageSeconds !== null,
      ageSeconds,
      servable,
    }) as PageCoverage;

  it("takes pages without a servable snapshot first, critical before feed before sitemap, then the oldest", () => {
    const pages = [
      page("/old-sitemap", "sitemap", 90_000),
      page("/missing-sitemap", "sitemap", null),
      page("/fresh", "critical", 10),
      page("/older-critical", "critical", 100_000),
      page("/feed", "feed", null),
      page("/expired-critical", "critical", 700_000, false),
      page("/missing-critical", "critical", null),
    ];
    expect(duePages(pages, 3600, 10).map((due) => due.path)).toEqual([
      "/expired-critical",
      "/missing-critical",
      "/feed",
      "/missing-sitemap",
      "/older-critical",
      "/old-sitemap",
    ]);
    expect(duePages(pages, 3600, 2)).toHaveLength(2);
  });
});
