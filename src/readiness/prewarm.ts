import { keepSnapshot, whyNotKept } from "../catalog/keep";
import { normalizeUrl } from "../catalog/key";
import { anonymousCookieHint, noteRefusal } from "../catalog/refusals";
import type { Env } from "../config/env";
import { log } from "../log";
import { callOrigin } from "../origin/call";
import { originHealth } from "../origin/health";
import { sharedOriginHealth } from "../origin/sync";
import { assetTarget, snapshotAssets } from "./assets";
import {
  pageCoverage,
  pageTargets,
  type PageCoverage,
  type PageKind,
  type PageResult,
  type Target,
} from "../coverage/targets";
import { mapLimited } from "../coverage/pool";
import { NOTHING_TO_PREWARM, prewarmOrigins } from "../coverage/shopper-origins";
import { PREWARM_USER_AGENT } from "../coverage/user-agent";
import { refreshFeed } from "../feed/read";
import { count } from "../metrics/counters";
import type { Shop } from "../config/shop";

/**
 * The cron pre-warm: fetches the critical pages, the product feed and the
 * sitemap's pages that have no snapshot or an old one, through the same
 * snapshot code as shopper traffic; then the same-origin files the critical
 * pages and the pages just stored need (stylesheets, scripts, fonts, images),
 * so that a stale page looks right. Polite: at most PREWARM_MAX_PAGES pages
 * and as many assets per run, a few at a time with a pause between them,
 * nothing while the breaker is open, and it stops as soon as the breaker opens.
 * Each public origin (see prewarmOrigins) is pre-warmed in turn.
 */

export const PREWARM_CONCURRENCY = 4;
const PAUSE_MS = 250;
const PRIORITY: Record<PageKind, number> = { critical: 0, well_known: 1, feed: 2, sitemap: 3, asset: 4 };

type Results = Partial<Record<PageResult, number>>;
/** A page's outcome, and for a refused one the rule that stopped it (see whyNotKept). */
type Warmed = { result: PageResult; rule?: string };
type Skip = "disabled" | "origin_down";
export type OriginPrewarm = { origin: string } & (
  | { ran: false; reason: Skip }
  | {
      ran: true;
      checked: number;
      due: number;
      results: Results;
      /** Refused pages and assets by the rule that stopped them, e.g. {"set_cookie:sid": 3}. */
      refusedBy: Partial<Record<string, number>>;
      /** The one setting that would store every refused page, when there is one (see anonymousCookieHint). */
      hint?: string;
      assets: { due: number; results: Results };
    }
);
export type PrewarmSummary = { ran: false; reason: "no_shop_url" } | { ran: true; origins: OriginPrewarm[] };

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

async function warm(env: Env, shop: Shop, page: PageCoverage): Promise<Warmed> {
  if (originHealth(shop).label === "down") return { result: "skipped" };
  const url = new URL(page.url);
  if (page.kind === "feed") return { result: (await refreshFeed(env, shop, url.host)) ? "stored" : "failed" };
  const accept =
    page.kind === "asset" || page.kind === "well_known" ? "*/*" : "text/html,application/xhtml+xml,*/*;q=0.8";
  const request = new Request(url, { headers: { "user-agent": PREWARM_USER_AGENT, accept } });
  const call = await callOrigin(shop, request);
  if (call.kind === "skipped") return { result: "skipped" };
  if (call.kind === "failed") return { result: "failed" };
  const rule = whyNotKept(request, call.response, shop.config);
  if (rule !== null) {
    await call.response.body?.cancel();
    count(env, shop.id, "snapshot_refusals", { rule });
    await noteRefusal(env, shop.id, normalizeUrl(url), rule).catch((error: unknown) =>
      log("warn", "snapshot_refusal_note_failed", { shop: shop.id, path: page.path, error: String(error) }),
    );
    return { result: "refused", rule };
  }
  return { result: await keepSnapshot(env, shop, url.host, normalizeUrl(url), call.response, "origin") };
}

export async function prewarm(env: Env, shop: Shop, now = Date.now()): Promise<PrewarmSummary> {
  const origins = await prewarmOrigins(env, shop, now);
  if (origins.length === 0) {
    log("warn", "prewarm_skipped", { shop: shop.id, reason: "no_shop_url", message: NOTHING_TO_PREWARM });
    return { ran: false, reason: "no_shop_url" };
  }
  const summaries: OriginPrewarm[] = [];
  // One after the other: every origin's pages come from the same origin server.
  for (const origin of origins) summaries.push(await prewarmOrigin(env, shop, origin, now));
  return { ran: true, origins: summaries };
}

async function prewarmOrigin(env: Env, shop: Shop, origin: string, now: number): Promise<OriginPrewarm> {
  if (shop.config.prewarm.maxPages === 0) return skipped(shop.id, origin, "disabled");
  // A cron run has no request keeping the breaker copy current: ask the shared monitor first.
  if ((await sharedOriginHealth(env, shop)).label === "down") return skipped(shop.id, origin, "origin_down");

  const { targets } = await pageTargets(shop, origin);
  const { maxAgeS, maxPages } = shop.config.prewarm;
  const due = duePages(await pageCoverage(env, shop, targets, now), maxAgeS, maxPages);
  const warmed = await warmAll(env, shop, due);
  const outcomes = warmed.map((page) => page.result);

  const stored = due.filter((page, i) => outcomes[i] === "stored" && page.kind !== "critical");
  const inspected = [...targets.filter((page) => page.kind === "critical"), ...stored];
  // Two passes: the first stores the stylesheets, the second follows them to their fonts and images.
  const tried = new Set<string>();
  const assetsWarmed: Warmed[] = [];
  for (let pass = 0; pass < 2 && tried.size < maxPages; pass++) {
    const assets = (await assetTargets(env, shop, inspected)).filter((asset) => !tried.has(asset.url));
    const dueAssets = duePages(await pageCoverage(env, shop, assets, now), maxAgeS, maxPages - tried.size);
    if (dueAssets.length === 0) break;
    for (const asset of dueAssets) tried.add(asset.url);
    assetsWarmed.push(...(await warmAll(env, shop, dueAssets)));
  }

  const results = tally(outcomes);
  const assetResults = tally(assetsWarmed.map((asset) => asset.result));
  const refusedBy = tally([...warmed, ...assetsWarmed].flatMap((page) => (page.rule ? [page.rule] : [])));
  // Pages only: a missing favicon (status:404) says nothing about why the shop's pages are refused.
  const pageRules = due.flatMap((page, i) =>
    (page.kind === "critical" || page.kind === "sitemap") && warmed[i]!.rule ? [warmed[i]!.rule!] : [],
  );
  const hint = anonymousCookieHint(pageRules, shop.config) ?? undefined;
  log(hint ? "warn" : "info", "prewarm_finished", {
    shop: shop.id,
    origin,
    checked: targets.length,
    due: due.length,
    ...results,
    refusedBy,
    ...(hint ? { hint } : {}),
    assetsDue: tried.size,
    assetResults,
  });
  return {
    origin,
    ran: true,
    checked: targets.length,
    due: due.length,
    results,
    refusedBy,
    ...(hint ? { hint } : {}),
    assets: { due: tried.size, results: assetResults },
  };
}

async function warmAll(env: Env, shop: Shop, pages: PageCoverage[]): Promise<Warmed[]> {
  return mapLimited(pages, PREWARM_CONCURRENCY, async (page) => {
    let warmed: Warmed;
    try {
      warmed = await warm(env, shop, page);
    } catch (error) {
      warmed = { result: "failed" };
      log("warn", "prewarm_page_failed", { shop: shop.id, path: page.path, error: String(error) });
    }
    const result = warmed.result;
    count(env, shop.id, "prewarm_pages", { result, ...(page.kind === "asset" ? { kind: "asset" } : {}) });
    if (result !== "skipped") await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    return warmed;
  });
}

function tally<T extends string>(outcomes: T[]): Partial<Record<T, number>> {
  const results: Partial<Record<T, number>> = {};
  for (const outcome of outcomes) results[outcome] = (results[outcome] ?? 0) + 1;
  return results;
}

/** The files these pages' snapshots need, each once. */
async function assetTargets(env: Env, shop: Shop, pages: Target[]): Promise<Target[]> {
  const warming: Promise<unknown>[] = [];
  const lists = await mapLimited(pages, PREWARM_CONCURRENCY, (page) =>
    snapshotAssets(env, shop, page.url, (promise) => warming.push(promise)),
  );
  await Promise.allSettled(warming);
  return [...new Set(lists.flatMap((list) => list ?? []))].map(assetTarget);
}

function skipped(shopId: string, origin: string, reason: Skip): OriginPrewarm {
  log("info", "prewarm_skipped", { shop: shopId, origin, reason });
  return { origin, ran: false, reason };
}
