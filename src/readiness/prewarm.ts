import { keepSnapshot, worthKeeping } from "../catalog/keep";
import { normalizeUrl } from "../catalog/key";
import { loadConfig, resolveShop, type Shop } from "../config";
import type { Env } from "../env";
import { refreshFeed } from "../feed";
import { log } from "../log";
import { count } from "../metrics";
import { callOrigin } from "../origin/call";
import { originHealth } from "../origin/health";
import { sharedOriginHealth } from "../origin/sync";
import { pageCoverage, pageTargets, type PageCoverage, type PageKind } from "./coverage";
import { mapLimited } from "./pool";
import { PREWARM_USER_AGENT } from "./user-agent";

/**
 * The cron pre-warm: fetches the critical pages, the product feed and the
 * sitemap's pages that have no snapshot or an old one, through the same
 * snapshot code as shopper traffic. Polite: a bounded number of pages per run,
 * a few at a time with a pause between them, nothing while the breaker is
 * open, and it stops as soon as the breaker opens.
 */

export const PREWARM_CONCURRENCY = 4;
const PAUSE_MS = 250;
const PRIORITY: Record<PageKind, number> = { critical: 0, feed: 1, sitemap: 2 };

export type PageResult = "stored" | "too_large" | "failed" | "refused" | "skipped";
export type PrewarmSummary =
  | { ran: false; reason: "no_shop_url" | "disabled" | "origin_down" }
  | { ran: true; checked: number; due: number; results: Partial<Record<PageResult, number>> };

/** Pages without a servable snapshot first (critical, feed, sitemap), then the oldest. */
export function duePages(pages: PageCoverage[], maxAgeS: number, maxPages: number): PageCoverage[] {
  return pages
    .filter((page) => !page.servable || (page.ageSeconds ?? Infinity) > maxAgeS)
    .sort(
      (a, b) =>
        Number(a.servable) - Number(b.servable) ||
        PRIORITY[a.kind] - PRIORITY[b.kind] ||
        (b.ageSeconds ?? 0) - (a.ageSeconds ?? 0),
    )
    .slice(0, maxPages);
}

async function warm(env: Env, shop: Shop, page: PageCoverage): Promise<PageResult> {
  if (originHealth(shop).label === "down") return "skipped";
  const url = new URL(page.url);
  if (page.kind === "feed") return (await refreshFeed(env, shop, url.host)) ? "stored" : "failed";
  const request = new Request(url, {
    headers: { "user-agent": PREWARM_USER_AGENT, accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
  });
  const call = await callOrigin(shop, request);
  if (call.kind === "skipped") return "skipped";
  if (call.kind === "failed") return "failed";
  if (!worthKeeping(request, call.response, shop.config)) {
    await call.response.body?.cancel();
    return "refused";
  }
  return keepSnapshot(env, shop, url.host, normalizeUrl(url), call.response);
}

export async function prewarm(env: Env, now = Date.now()): Promise<PrewarmSummary> {
  const shopUrl = loadConfig(env).shopUrl;
  if (!shopUrl) return skipped("default", "no_shop_url");
  const origin = new URL(shopUrl).origin;
  const shop = resolveShop(env, new URL(origin).host);
  if (shop.config.prewarm.maxPages === 0) return skipped(shop.id, "disabled");
  // A cron run has no request keeping the breaker copy current: ask the shared monitor first.
  if ((await sharedOriginHealth(env, shop)).label === "down") return skipped(shop.id, "origin_down");

  const { targets } = await pageTargets(shop, origin);
  const due = duePages(
    await pageCoverage(env, shop, targets, now),
    shop.config.prewarm.maxAgeS,
    shop.config.prewarm.maxPages,
  );
  const outcomes = await mapLimited(due, PREWARM_CONCURRENCY, async (page) => {
    let result: PageResult;
    try {
      result = await warm(env, shop, page);
    } catch (error) {
      result = "failed";
      log("warn", "prewarm_page_failed", { shop: shop.id, path: page.path, error: String(error) });
    }
    count(env, shop.id, "prewarm_pages", { result });
    if (result !== "skipped") await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    return result;
  });
  const results: Partial<Record<PageResult, number>> = {};
  for (const outcome of outcomes) results[outcome] = (results[outcome] ?? 0) + 1;
  log("info", "prewarm_finished", { shop: shop.id, checked: targets.length, due: due.length, ...results });
  return { ran: true, checked: targets.length, due: due.length, results };
}

function skipped(shopId: string, reason: "no_shop_url" | "disabled" | "origin_down"): PrewarmSummary {
  log("info", "prewarm_skipped", { shop: shopId, reason });
  return { ran: false, reason };
}
