import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { varsShop } from "../../src/config/shop";
import type { Env } from "../../src/config/env";
import type { ReadinessReport } from "../../src/readiness/report";
import { WELL_KNOWN_PATHS } from "../../src/coverage/targets";
import { prewarmOrigins } from "../../src/coverage/shopper-origins";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { runCron, servedWhileDown } from "../readiness/cron";

// KV lives as long as this file: each test reaches the worker at hosts of its own.
let origin: FakeOrigin;
let id: string;
let shop: string;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  id = crypto.randomUUID().slice(0, 8);
  shop = `http://shop-${id}.test`;
});
afterEach(() => origin.stop());

function envFor(overrides: Record<string, string> = {}): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "1000",
    SHOP_URL: "",
    CRITICAL_PATHS: `/c-${id}/coffee,/c-${id}/tea`,
    SITEMAP_URL: "",
    CATALOG_FEED_URL: "",
    ...overrides,
  });
}

async function shopperVisit(env: Env, url: string): Promise<void> {
  await (await dispatch(url, env, { headers: { accept: "text/html" } })).text();
}

describe("pre-warm without SHOP_URL", () => {
  it("pre-warms the critical pages for the host shoppers reached", async () => {
    const env = envFor();
    await shopperVisit(env, `${shop}/p-${id}`);

    await runCron(env);
    const fetched = new Set((await origin.requests()).map((request) => request.path));
    expect(fetched).toEqual(new Set([`/p-${id}`, `/c-${id}/coffee`, `/c-${id}/tea`, ...WELL_KNOWN_PATHS]));

    await origin.setMode({ mode: "refuse" });
    expect(await servedWhileDown(env, `${shop}/c-${id}/coffee`)).toBe(true);
    expect(await servedWhileDown(env, `${shop}/c-${id}/tea`)).toBe(true);
  });

  it("does not count stayopen's own routes, and SHOP_URL wins when set", async () => {
    const env = envFor();
    await shopperVisit(env, `${shop}/__stayopen/status`);
    expect(await prewarmOrigins(env, varsShop(env))).not.toContain(shop);
    const withShopUrl = envFor({ SHOP_URL: "https://shop.example/" });
    expect(await prewarmOrigins(withShopUrl, varsShop(withShopUrl))).toEqual(["https://shop.example"]);
  });

  it("keeps the five hosts seen last, and forgets them after 30 days", async () => {
    const env = envFor();
    const hosts = Array.from({ length: 6 }, (_, i) => `https://h${i}-${id}.test`);
    for (const host of hosts) await shopperVisit(env, `${host}/`);
    expect(await prewarmOrigins(env, varsShop(env))).toEqual(hosts.slice(1).reverse());
    expect(await prewarmOrigins(env, varsShop(env), Date.now() + 31 * 86_400_000)).toEqual([]);
  });

  it("checks readiness for the host shoppers reached", async () => {
    const env = envFor();
    await shopperVisit(env, `${shop}/c-${id}/coffee`);
    const response = await dispatch("https://admin.test/__stayopen/admin/readiness", env, {
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    });
    const report: ReadinessReport = await response.json();
    expect(report.pages.find((page) => page.path === `/c-${id}/coffee`)).toMatchObject({
      url: `${shop}/c-${id}/coffee`,
      servable: true,
    });
    expect(report.checks.find((check) => check.name === "shop_url")).toMatchObject({ ok: true });
  });
});
