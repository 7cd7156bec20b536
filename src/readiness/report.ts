import type { Shop } from "../config";
import type { Env } from "../env";
import { pageCoverage, pageTargets, type PageCoverage, type PageKind } from "./coverage";
import { MAX_SITEMAP_PAGES, type SitemapRead } from "./sitemap";

/**
 * The readiness report: how well this shop would ride out an outage that
 * started now. Every check carries a weight; the score is the weighted share
 * met, and `fix` lists what is missing, most valuable first.
 */

export type Check = { name: string; ok: boolean; detail: string };
export type ReadinessReport = {
  score: number;
  shopUrl: string | null;
  pages: PageCoverage[];
  checks: Check[];
  fix: string[];
};

/** A check with its weight and how much of it is met (0–1), and what to do when it is not. */
export type WeightedCheck = Check & { weight: number; met: number; fix: string };

export function score(checks: WeightedCheck[]): number {
  const total = checks.reduce((sum, check) => sum + check.weight, 0);
  const met = checks.reduce((sum, check) => sum + check.weight * Math.min(1, Math.max(0, check.met)), 0);
  return total === 0 ? 0 : Math.round((100 * met) / total);
}

function listed(paths: string[], max = 5): string {
  return paths.length <= max ? paths.join(", ") : `${paths.slice(0, max).join(", ")} and ${paths.length - max} more`;
}

function pageCheck(name: string, pages: PageCoverage[], weight: number, what: string, fix: string): WeightedCheck {
  const ready = pages.filter((page) => page.servable);
  const missing = pages.filter((page) => !page.servable).map((page) => page.path);
  return {
    name,
    weight,
    met: pages.length === 0 ? 0 : ready.length / pages.length,
    ok: pages.length > 0 && missing.length === 0,
    detail:
      pages.length === 0
        ? `No ${what} to check.`
        : `${ready.length} of ${pages.length} ${what} have a servable snapshot${missing.length ? `; missing or too old: ${listed(missing)}` : "."}`,
    fix: `${fix}${missing.length ? ` Missing: ${listed(missing)}.` : ""}`,
  };
}

const flag = (name: string, ok: boolean, weight: number, detail: string, fix: string): WeightedCheck => ({
  name,
  ok,
  weight,
  met: ok ? 1 : 0,
  detail,
  fix,
});

function sitemapCheck(sitemap: SitemapRead, pages: PageCoverage[]): WeightedCheck {
  if (!sitemap.ok) {
    const detail =
      sitemap.reason === "not_configured"
        ? "SITEMAP_URL is not set."
        : `The sitemap could not be read (${sitemap.reason}).`;
    return flag(
      "sitemap_pages",
      false,
      15,
      detail,
      "Set SITEMAP_URL to a readable sitemap (e.g. /sitemap.xml) so more than the critical pages are pre-warmed.",
    );
  }
  const check = pageCheck(
    "sitemap_pages",
    pages,
    15,
    "sitemap pages",
    "Let the cron pre-warm run (it needs SHOP_URL) to snapshot the sitemap's pages.",
  );
  return sitemap.truncated
    ? { ...check, detail: `${check.detail} Only the first ${MAX_SITEMAP_PAGES} pages are checked.` }
    : check;
}

export function weightedChecks(shop: Shop, pages: PageCoverage[], sitemap: SitemapRead): WeightedCheck[] {
  const config = shop.config;
  const of = (kind: PageKind) => pages.filter((page) => page.kind === kind);
  const prewarmHint = config.shopUrl
    ? "The cron pre-warm fills them every five minutes; check that the origin serves them."
    : "Set SHOP_URL so the cron pre-warm can fill them.";
  const feed = of("feed")[0];
  return [
    pageCheck(
      "critical_pages",
      of("critical"),
      40,
      "critical pages",
      `Snapshot every CRITICAL_PATHS page. ${prewarmHint}`,
    ),
    sitemapCheck(sitemap, of("sitemap")),
    flag(
      "catalog_feed",
      feed?.servable ?? false,
      10,
      !config.catalogFeedUrl
        ? "CATALOG_FEED_URL is not set."
        : feed?.servable
          ? `The feed ${config.catalogFeedUrl} has a snapshot.`
          : `The feed ${config.catalogFeedUrl} has no servable snapshot.`,
      !config.catalogFeedUrl
        ? "Set CATALOG_FEED_URL so shoppers can order from the edge during an outage."
        : `Snapshot the product feed ${config.catalogFeedUrl}. ${prewarmHint}`,
    ),
    flag(
      "shop_url",
      Boolean(config.shopUrl),
      10,
      config.shopUrl ? `Pre-warming ${config.shopUrl}.` : "SHOP_URL is not set: the cron pre-warm is off.",
      "Set SHOP_URL to the public URL shoppers use so the cron can pre-warm snapshots.",
    ),
    flag(
      "order_paths",
      config.orderPaths.length > 0,
      5,
      config.orderPaths.length > 0
        ? `Orders are queued at ${config.orderPaths.map((route) => `${route.method} ${route.pattern}`).join(", ")}.`
        : "No ORDER_PATHS.",
      "Set ORDER_PATHS to the shop's order endpoints so orders are queued during an outage.",
    ),
    flag(
      "admin_token",
      Boolean(config.adminToken),
      5,
      config.adminToken ? "ADMIN_TOKEN is set." : "ADMIN_TOKEN is not set.",
      "Set the ADMIN_TOKEN secret (wrangler secret put ADMIN_TOKEN).",
    ),
    flag(
      "replay_secret",
      Boolean(config.replaySecret),
      10,
      config.replaySecret
        ? "REPLAY_SECRET is set: replayed orders are signed."
        : "REPLAY_SECRET is not set: the origin cannot verify replayed orders.",
      "Set the REPLAY_SECRET secret so the origin can verify replayed orders (wrangler secret put REPLAY_SECRET).",
    ),
    flag(
      "support_email",
      Boolean(config.supportEmail),
      5,
      config.supportEmail ? `Shoppers are pointed to ${config.supportEmail}.` : "SUPPORT_EMAIL is not set.",
      "Set SUPPORT_EMAIL so the maintenance page tells shoppers whom to write to.",
    ),
  ];
}

export async function readinessReport(
  env: Env,
  shop: Shop,
  origin: string,
  now = Date.now(),
): Promise<ReadinessReport> {
  const { targets, sitemap } = await pageTargets(shop, origin);
  const pages = await pageCoverage(env, shop, targets, now);
  const checks = weightedChecks(shop, pages, sitemap);
  return {
    score: score(checks),
    shopUrl: shop.config.shopUrl ?? null,
    pages,
    checks: checks.map(({ name, ok, detail }) => ({ name, ok, detail })),
    fix: checks
      .filter((check) => !check.ok)
      .sort((a, b) => b.weight - a.weight)
      .map((check) => check.fix),
  };
}
