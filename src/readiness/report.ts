import { anonymousCookieHint } from "../catalog/refusals";
import { type ConfigProblem } from "../config/schema";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { criticalPageAssets, type PageAssets } from "./assets";
import { pageCoverage, pageTargets, withRefusals, type PageCoverage, type PageKind } from "../coverage/targets";
import { NOTHING_TO_PREWARM, prewarmOrigins } from "../coverage/shopper-origins";
import { MAX_SITEMAP_PAGES, type SitemapRead } from "../coverage/sitemap";
import { staticBackupStatus, type StaticBackupStatus } from "../static-backup/status";
import { formatAsOf } from "../time";

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
  /** The critical pages with a snapshot, and which of their stylesheets, scripts, fonts and images would be missing offline. */
  assets: PageAssets[];
  staticBackup: StaticBackupStatus;
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

/** A missing page, with the rule that stopped its last pre-warm: `/ (not stored: set_cookie:sid)`. */
const missingPage = (page: PageCoverage) => (page.refused ? `${page.path} (not stored: ${page.refused})` : page.path);

function pageCheck(name: string, pages: PageCoverage[], weight: number, what: string, fix: string): WeightedCheck {
  const ready = pages.filter((page) => page.servable);
  const missing = pages.filter((page) => !page.servable).map(missingPage);
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

function sitemapCheck(sitemap: SitemapRead, pages: PageCoverage[], prewarmHint: string): WeightedCheck {
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
  const check = pageCheck("sitemap_pages", pages, 15, "sitemap pages", `Snapshot the sitemap's pages. ${prewarmHint}`);
  return sitemap.truncated
    ? { ...check, detail: `${check.detail} Only the first ${MAX_SITEMAP_PAGES} pages are checked.` }
    : check;
}

function assetsCheck(assets: PageAssets[], prewarmHint: string): WeightedCheck {
  const fix = `Snapshot the stylesheets, scripts, fonts and images of the critical pages: the cron pre-warm follows them from each page's snapshot. ${prewarmHint}`;
  if (assets.length === 0)
    return flag(
      "critical_assets",
      false,
      10,
      "No critical page has a snapshot yet, so its assets cannot be checked.",
      fix,
    );
  const incomplete = assets.filter((page) => page.missing.length > 0);
  const described = incomplete.map((page) => `${page.path} (${page.missing.length} of ${page.assets} missing)`);
  return {
    name: "critical_assets",
    weight: 10,
    met: (assets.length - incomplete.length) / assets.length,
    ok: incomplete.length === 0,
    detail:
      incomplete.length === 0
        ? `Every asset of the ${assets.length} critical pages with a snapshot has one.`
        : `Critical pages that would be missing assets offline: ${listed(described)}.`,
    fix: `${fix} Missing: ${listed(incomplete.flatMap((page) => page.missing))}.`,
  };
}

/** Each unusable variable is taken as unset (its feature off), so it comes first in what to fix. */
function configurationCheck(problems: ConfigProblem[]): WeightedCheck {
  const messages = problems.map((problem) => problem.message);
  return flag(
    "configuration",
    problems.length === 0,
    40,
    problems.length === 0
      ? "Every variable has a usable value."
      : `Unusable, so taken as unset until corrected: ${messages.join("; ")}.`,
    `Correct ${problems.map((problem) => problem.variable).join(", ")} (wrangler.toml [vars] or wrangler secret put).`,
  );
}

/** Only counted when STATIC_BACKUP is on: an optional backup should not lower anyone's score. */
function staticBackupCheck(status: StaticBackupStatus): WeightedCheck[] {
  if (!status.enabled) return [];
  const check = (ok: boolean, met: number, detail: string, fix: string): WeightedCheck[] => [
    { name: "static_backup", ok, weight: 10, met, detail, fix },
  ];
  if (!status.bound)
    return check(
      false,
      0,
      "STATIC_BACKUP is on but the STATIC_BACKUP_BUCKET R2 binding is missing.",
      "Add the [[r2_buckets]] binding STATIC_BACKUP_BUCKET to wrangler.toml, or set STATIC_BACKUP=off.",
    );
  const published = status.published;
  const running =
    status.run && !status.run.finished ? ` An export is under way (${status.run.pending} objects to go).` : "";
  if (!published)
    return check(
      false,
      0,
      `No static export has been published yet.${running}`,
      "Let the cron export the catalog to R2 (it needs SHOP_URL and a healthy origin); it publishes once every page is written.",
    );
  const summary = `Export ${published.version} from ${formatAsOf(Date.parse(published.completedAt))}: ${published.pages.stored} pages, ${published.assets.stored} assets.${running}`;
  if (published.missingCritical.length > 0)
    return check(
      false,
      0.5,
      `${summary} Missing critical pages: ${listed(published.missingCritical)}.`,
      `Make the critical pages exportable (status 200, no Set-Cookie, not private): ${listed(published.missingCritical)}.`,
    );
  return check(true, 1, summary, "");
}

/** `prewarmed`: the public origins the cron pre-warms (see prewarmOrigins). */
function weightedChecks(
  shop: Shop,
  prewarmed: string[],
  pages: PageCoverage[],
  sitemap: SitemapRead,
  assets: PageAssets[],
  staticBackup: StaticBackupStatus,
): WeightedCheck[] {
  const config = shop.config;
  const of = (kind: PageKind) => pages.filter((page) => page.kind === kind);
  const prewarmHint =
    prewarmed.length > 0
      ? "The cron pre-warm fills them every five minutes; check that the origin serves them."
      : NOTHING_TO_PREWARM;
  const feed = of("feed")[0];
  return [
    configurationCheck(config.problems),
    pageCheck(
      "critical_pages",
      of("critical"),
      40,
      "critical pages",
      `Snapshot every CRITICAL_PATHS page. ${prewarmHint}`,
    ),
    assetsCheck(assets, prewarmHint),
    ...staticBackupCheck(staticBackup),
    sitemapCheck(sitemap, of("sitemap"), prewarmHint),
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
      prewarmed.length > 0,
      10,
      config.shopUrl
        ? `Pre-warming ${config.shopUrl}.`
        : prewarmed.length > 0
          ? `SHOP_URL is not set: pre-warming the hosts shoppers reached, ${listed(prewarmed)}.`
          : "SHOP_URL is not set and no shopper request has come yet: the cron pre-warm has nothing to pre-warm.",
      NOTHING_TO_PREWARM,
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
      "notify_webhook",
      Boolean(config.notifyWebhookUrl),
      5,
      config.notifyWebhookUrl
        ? "Notify-me sign-ups and orders needing a payment link are handed to the shop on recovery."
        : "NOTIFY_WEBHOOK_URL is not set: notify-me sign-ups wait in the CSV export (/__stayopen/admin/subscribers.csv).",
      "Set NOTIFY_WEBHOOK_URL so the shop is handed notify-me sign-ups and payment links to send on recovery, or fetch the CSV export after each outage.",
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

/** Checks the pages of the origin the cron pre-warms first; `fallback` (the operator's) until there is one. */
export async function readinessReport(
  env: Env,
  shop: Shop,
  fallback: string,
  now = Date.now(),
): Promise<ReadinessReport> {
  const prewarmed = await prewarmOrigins(env, shop, now);
  const { targets, sitemap } = await pageTargets(shop, prewarmed[0] ?? fallback);
  const pages = await withRefusals(env, shop, await pageCoverage(env, shop, targets, now), now);
  const [assets, staticBackup] = await Promise.all([
    criticalPageAssets(env, shop, pages, now),
    staticBackupStatus(env, shop),
  ]);
  const checks = weightedChecks(shop, prewarmed, pages, sitemap, assets, staticBackup);
  const pageRules = pages.flatMap((page) =>
    (page.kind === "critical" || page.kind === "sitemap") && page.refused ? [page.refused] : [],
  );
  // Not a check of its own: the pages it would store already count; this is the one change that stores them.
  const hint = anonymousCookieHint(pageRules, shop.config);
  return {
    score: score(checks),
    shopUrl: shop.config.shopUrl ?? null,
    pages,
    assets,
    staticBackup,
    checks: checks.map(({ name, ok, detail }) => ({ name, ok, detail })),
    fix: [
      ...(hint ? [hint] : []),
      ...checks
        .filter((check) => !check.ok)
        .sort((a, b) => b.weight - a.weight)
        .map((check) => check.fix),
    ],
  };
}
