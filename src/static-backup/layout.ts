import { sha256Hex } from "../catalog/key";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";

/**
 * How the static backup lies in its R2 bucket, per shop:
 *
 *   exports/<shop>/<version>/<normalized URL>   one object per page or asset, with its snapshot metadata
 *   exports/<shop>/current                      the pointer: which complete version is served
 *   exports/<shop>/progress                     the run being written (or the last one, once finished)
 *
 * A version is written object by object over several cron runs and only
 * becomes visible when the pointer is flipped to it, so shoppers never see a
 * half-written export. Versions sort by the time their run started.
 */

/** Where an exported item came from: the critical paths, the feed itself, the sitemap, the feed's products, or a file a page needs. */
export type ExportKind = "critical" | "feed" | "sitemap" | "product" | "asset";
export type ExportItem = { url: string; kind: ExportKind };
export type ExportCounts = { listed: number; stored: number; failed: number };

export type ExportRun = {
  version: string;
  startedAt: number;
  updatedAt: number;
  /** Still to fetch, in order; assets are appended as pages reveal them. */
  pending: ExportItem[];
  /** Normalized URLs ever queued in this run, so an asset shared by many pages is fetched once. */
  seen: string[];
  pages: ExportCounts;
  assets: ExportCounts;
  /** Critical paths this run could not store. */
  missingCritical: string[];
  /** The latest failures (bounded), for the operator. */
  failures: { url: string; reason: string }[];
  finished: { at: number; outcome: "published" | "abandoned"; reason?: string } | null;
};

/** The published export: what shoppers are served from. `previous` is kept until the next flip. */
export type ExportPointer = {
  version: string;
  previous: string | null;
  startedAt: number;
  completedAt: number;
  pages: ExportCounts;
  assets: ExportCounts;
  missingCritical: string[];
};

/** The STATIC_BACKUP_BUCKET binding, which a deployment may leave out; null then. */
export function boundBucket(env: Env): R2Bucket | null {
  return (env as Partial<Pick<Env, "STATIC_BACKUP_BUCKET">>).STATIC_BACKUP_BUCKET ?? null;
}

/** The bucket when STATIC_BACKUP is on and the STATIC_BACKUP_BUCKET binding exists; null otherwise. */
export function backupBucket(env: Env, shop: Shop): R2Bucket | null {
  return shop.config.staticBackup ? boundBucket(env) : null;
}

export const shopPrefix = (shopId: string) => `exports/${shopId}/`;
const pointerKey = (shopId: string) => `${shopPrefix(shopId)}current`;
const progressKey = (shopId: string) => `${shopPrefix(shopId)}progress`;
export const versionPrefix = (shopId: string, version: string) => `${shopPrefix(shopId)}${version}/`;

/** R2 keys may be 1024 bytes long; longer URLs are stored under their hash. */
export async function objectKey(shopId: string, version: string, normalized: string): Promise<string> {
  const name = new TextEncoder().encode(normalized).length <= 900 ? normalized : `#${await sha256Hex(normalized)}`;
  return `${versionPrefix(shopId, version)}${name}`;
}

/** A sortable, unique name for a run that starts at `now`: 20261126T101500Z-3f9a. */
export function newVersion(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/[-:]/g, "");
  return `${stamp}-${crypto.randomUUID().slice(0, 4)}`;
}

async function readJson<T>(bucket: R2Bucket, key: string): Promise<{ value: T; etag: string } | null> {
  const object = await bucket.get(key);
  if (!object) return null;
  return { value: (await object.json()) as T, etag: object.etag };
}

export async function readPointer(bucket: R2Bucket, shopId: string): Promise<ExportPointer | null> {
  return (await readJson<ExportPointer>(bucket, pointerKey(shopId)))?.value ?? null;
}

/** The flip: from this write on, shoppers are served the new version. */
export async function writePointer(bucket: R2Bucket, shopId: string, pointer: ExportPointer): Promise<void> {
  await bucket.put(pointerKey(shopId), JSON.stringify(pointer), { httpMetadata: { contentType: "application/json" } });
}

export function readProgress(bucket: R2Bucket, shopId: string): Promise<{ value: ExportRun; etag: string } | null> {
  return readJson<ExportRun>(bucket, progressKey(shopId));
}

/**
 * Saves a run's progress. With `etag` the write only happens if nobody else
 * wrote it since (two overlapping cron runs): null then, and this run stops.
 */
export async function writeProgress(
  bucket: R2Bucket,
  shopId: string,
  run: ExportRun,
  etag: string | null,
): Promise<string | null> {
  const written = await bucket.put(progressKey(shopId), JSON.stringify(run), {
    httpMetadata: { contentType: "application/json" },
    ...(etag ? { onlyIf: { etagMatches: etag } } : {}),
  });
  return written?.etag ?? null;
}
