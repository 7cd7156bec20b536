import { worthKeeping } from "../catalog/keep";
import { normalizeUrl } from "../catalog/key";
import { snapshotMeta } from "../catalog/store";
import { subresourcesOf, type Subresource } from "../catalog/subresources";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { readLimited } from "../http/body";
import { log } from "../log";
import { callOrigin } from "../origin/call";
import { originHealth } from "../origin/health";
import { sharedOriginHealth } from "../origin/sync";
import { pageTargets, type PageResult } from "../coverage/targets";
import { mapLimited } from "../coverage/pool";
import { prewarmOrigins } from "../coverage/shopper-origins";
import { PREWARM_USER_AGENT } from "../coverage/user-agent";
import {
  backupBucket,
  newVersion,
  objectKey,
  readPointer,
  readProgress,
  writePointer,
  writeProgress,
  type ExportCounts,
  type ExportItem,
  type ExportPointer,
  type ExportRun,
} from "./layout";
import { pruneVersions } from "./prune";
import { rememberPointer } from "./serve";
import { readFeed } from "../feed/read";

/**
 * The static backup export, one bounded step per cron run: it fetches the
 * critical pages, the sitemap's pages, the product feed and its products'
 * pages from the primary origin, follows each page's same-origin assets, and
 * writes them into a new version in R2. Progress is kept in R2, so the next
 * run resumes where this one stopped; only when nothing is left is the
 * pointer flipped to the new version. Polite like the pre-warm: a few
 * fetches at a time with a pause, nothing while the origin is down, and a new
 * export only once the published one is older than PREWARM_MAX_AGE_S.
 */

export type ExportLimits = {
  /** Objects fetched per cron run. */
  objectsPerRun: number;
  concurrency: number;
  pauseMs: number;
};

const EXPORT_LIMITS: ExportLimits = { objectsPerRun: 50, concurrency: 4, pauseMs: 250 };
/** Pages (critical, sitemap, feed, products) in one export, and objects including assets. */
export const MAX_EXPORT_PAGES = 500;
export const MAX_EXPORT_OBJECTS = 3000;
const KEPT_FAILURES = 20;

type Skip = "disabled" | "no_bucket" | "no_shop_url" | "origin_down" | "up_to_date" | "busy" | "failed";
export type ExportSummary =
  | { ran: false; reason: Skip }
  | {
      ran: true;
      version: string;
      fetched: number;
      pending: number;
      finished: ExportRun["finished"];
    };

type Fetched = { result: PageResult; assets: Subresource[] };

/** One cron step of the export; trouble with the bucket is logged, never thrown at the cron. */
export async function exportStaticBackup(
  env: Env,
  shop: Shop,
  now = Date.now(),
  limits: ExportLimits = EXPORT_LIMITS,
): Promise<ExportSummary> {
  try {
    return await exportStep(env, shop, now, limits);
  } catch (error) {
    log("error", "static_backup_failed", { shop: shop.id, error: String(error) });
    return { ran: false, reason: "failed" };
  }
}

async function exportStep(env: Env, shop: Shop, now: number, limits: ExportLimits): Promise<ExportSummary> {
  const config = shop.config;
  if (!config.staticBackup) return { ran: false, reason: "disabled" };
  // The public origin the pre-warm uses first: SHOP_URL's, else the one shoppers reached last.
  const [origin] = await prewarmOrigins(env, shop, now);
  if (!origin) return skipped(shop.id, "no_shop_url");
  const bucket = backupBucket(env, shop);
  if (!bucket) {
    log("error", "static_backup_unbound", { shop: shop.id, binding: "STATIC_BACKUP_BUCKET" });
    return { ran: false, reason: "no_bucket" };
  }
  if ((await sharedOriginHealth(env, shop)).label === "down") return skipped(shop.id, "origin_down");

  const [progress, pointer] = await Promise.all([readProgress(bucket, shop.id), readPointer(bucket, shop.id)]);
  let run: ExportRun;
  let etag: string | null;
  if (progress && !progress.value.finished) {
    run = progress.value;
    etag = progress.etag;
  } else {
    const lastAt = Math.max(progress?.value.finished?.at ?? 0, pointer?.completedAt ?? 0);
    if (now - lastAt < config.prewarm.maxAgeS * 1000) {
      await pruneVersions(bucket, shop.id, keptVersions(pointer, null));
      return { ran: false, reason: "up_to_date" };
    }
    run = await planRun(env, shop, origin, now);
    etag = await writeProgress(bucket, shop.id, run, null);
    log("info", "static_backup_started", { shop: shop.id, version: run.version, pages: run.pending.length });
  }

  // Waves, because pages reveal assets as they are fetched; the budget bounds the run, an open breaker ends it.
  let fetched = 0;
  while (fetched < limits.objectsPerRun && run.pending.length > 0) {
    const batch = run.pending.splice(0, limits.objectsPerRun - fetched);
    const outcomes = await mapLimited(batch, limits.concurrency, async (item) => {
      const outcome = await fetchInto(bucket, shop, run.version, item).catch((error: unknown): Fetched => {
        log("warn", "static_backup_item_failed", { shop: shop.id, url: item.url, error: String(error) });
        return { result: "failed", assets: [] };
      });
      if (outcome.result !== "skipped") await new Promise((resolve) => setTimeout(resolve, limits.pauseMs));
      return outcome;
    });
    const retry = batch.filter((_, i) => outcomes[i]!.result === "skipped");
    batch.forEach((item, i) => record(run, item, outcomes[i]!));
    run.pending.unshift(...retry);
    fetched += batch.length - retry.length;
    if (retry.length > 0) break;
  }
  run.updatedAt = Date.now();
  if (run.pending.length === 0) {
    run.finished = finish(run, pointer);
    run.seen = [];
  }

  if (etag === null || (await writeProgress(bucket, shop.id, run, etag)) === null) {
    log("warn", "static_backup_busy", { shop: shop.id, version: run.version });
    return { ran: false, reason: "busy" };
  }
  const published = run.finished?.outcome === "published" ? await publish(bucket, shop.id, run, pointer) : pointer;
  if (run.finished) {
    const fields = {
      shop: shop.id,
      version: run.version,
      pages: run.pages,
      assets: run.assets,
      reason: run.finished.reason,
    };
    log(run.finished.outcome === "published" ? "info" : "warn", `static_backup_${run.finished.outcome}`, fields);
  }
  await pruneVersions(bucket, shop.id, keptVersions(published, run.finished ? null : run.version));
  return {
    ran: true,
    version: run.version,
    fetched,
    pending: run.pending.length,
    finished: run.finished,
  };
}

/** The pages of this export: critical paths first, then the feed, the sitemap's pages and the feed's products. */
async function planRun(env: Env, shop: Shop, origin: string, now: number): Promise<ExportRun> {
  const { targets } = await pageTargets(shop, origin);
  // The well-known files (favicon, robots.txt) are pages' companions, kept as snapshots by the pre-warm.
  const items: ExportItem[] = targets
    .filter((target) => target.kind !== "well_known")
    .map((target) => ({
      url: target.url,
      kind: target.kind === "critical" ? "critical" : target.kind === "feed" ? "feed" : "sitemap",
    }));
  for (const url of await productUrls(env, shop, origin)) items.push({ url, kind: "product" });

  const seen = new Set<string>();
  const pending = items.filter((item) => {
    const key = normalizeUrl(item.url);
    if (seen.has(key) || seen.size >= MAX_EXPORT_PAGES) return false;
    seen.add(key);
    return true;
  });
  const counts = (): ExportCounts => ({ listed: 0, stored: 0, failed: 0 });
  return {
    version: newVersion(now),
    startedAt: now,
    updatedAt: now,
    pending,
    seen: [...seen],
    pages: { ...counts(), listed: pending.length },
    assets: counts(),
    missingCritical: [],
    failures: [],
    finished: null,
  };
}

/** The feed's product pages on the shop's own host. */
async function productUrls(env: Env, shop: Shop, origin: string): Promise<string[]> {
  const refreshing: Promise<unknown>[] = [];
  const feed = await readFeed(env, shop, new URL(origin).host, (promise) => refreshing.push(promise));
  await Promise.allSettled(refreshing);
  if (!feed) return [];
  const urls: string[] = [];
  for (const product of feed.products.values()) {
    if (!product.url) continue;
    const url = new URL(product.url, origin);
    if (url.origin === origin) urls.push(url.href);
  }
  return urls;
}

/** One page or asset from the primary into the version, with the same shareability rules as snapshots. */
async function fetchInto(bucket: R2Bucket, shop: Shop, version: string, item: ExportItem): Promise<Fetched> {
  const none: Subresource[] = [];
  if (originHealth(shop).label === "down") return { result: "skipped", assets: none };
  const accept = item.kind === "asset" ? "*/*" : "text/html,application/xhtml+xml,*/*;q=0.8";
  const request = new Request(item.url, { headers: { "user-agent": PREWARM_USER_AGENT, accept } });
  const call = await callOrigin(shop, request);
  if (call.kind !== "answered") return { result: call.kind === "skipped" ? "skipped" : "failed", assets: none };
  const response = call.response;
  if (!worthKeeping(request, response, shop.config)) {
    await response.body?.cancel();
    return { result: "refused", assets: none };
  }
  const read = await readLimited(response.body, shop.config.snapshotMaxBytes);
  if (!read.ok) return { result: "too_large", assets: none };
  const contentType = response.headers.get("content-type");
  const meta = await snapshotMeta(response.status, response.headers, read.bytes, Date.now());
  if (!meta) return { result: "too_large", assets: none };
  await bucket.put(await objectKey(shop.id, version, normalizeUrl(item.url)), read.bytes, {
    httpMetadata: contentType ? { contentType } : {},
    customMetadata: { snapshot: JSON.stringify(meta) },
  });
  return { result: "stored", assets: await subresourcesOf(read.bytes, contentType, item.url) };
}

/** Counts one item's outcome and queues the assets it revealed. */
function record(run: ExportRun, item: ExportItem, { result, assets }: Fetched): void {
  if (result === "skipped") return;
  const counts = item.kind === "asset" ? run.assets : run.pages;
  if (result === "stored") {
    counts.stored++;
  } else {
    counts.failed++;
    run.failures = [...run.failures, { url: item.url, reason: result }].slice(-KEPT_FAILURES);
    if (item.kind === "critical") run.missingCritical.push(new URL(item.url).pathname);
  }
  const seen = new Set(run.seen);
  for (const asset of assets) {
    const key = normalizeUrl(asset.url);
    if (seen.has(key) || seen.size >= MAX_EXPORT_OBJECTS) continue;
    seen.add(key);
    run.pending.push({ url: asset.url, kind: "asset" });
    run.assets.listed++;
  }
  run.seen = [...seen];
}

/**
 * A finished run replaces the published export only if it lost no critical
 * page the published one holds; a first export is published whatever it
 * holds, since something beats nothing. (A critical page that can never be
 * exported, say a cart that sets a cookie, must not freeze the export.)
 */
function finish(run: ExportRun, pointer: ExportPointer | null): ExportRun["finished"] {
  const at = Date.now();
  if (run.pages.stored === 0) return { at, outcome: "abandoned", reason: "nothing_stored" };
  const lost = run.missingCritical.filter((path) => pointer && !pointer.missingCritical.includes(path));
  if (lost.length > 0) return { at, outcome: "abandoned", reason: `critical pages missing: ${lost.join(", ")}` };
  return { at, outcome: "published" };
}

/** Flips the pointer to the finished run's version. */
async function publish(
  bucket: R2Bucket,
  shopId: string,
  run: ExportRun,
  pointer: ExportPointer | null,
): Promise<ExportPointer> {
  const next: ExportPointer = {
    version: run.version,
    previous: pointer?.version ?? null,
    startedAt: run.startedAt,
    completedAt: run.finished!.at,
    pages: run.pages,
    assets: run.assets,
    missingCritical: run.missingCritical,
  };
  await writePointer(bucket, shopId, next);
  rememberPointer(shopId, next);
  return next;
}

function keptVersions(pointer: ExportPointer | null, running: string | null): Set<string> {
  return new Set(
    [pointer?.version, pointer?.previous, running].filter((version): version is string => Boolean(version)),
  );
}

function skipped(shopId: string, reason: Skip): ExportSummary {
  log("info", "static_backup_skipped", { shop: shopId, reason });
  return { ran: false, reason };
}
