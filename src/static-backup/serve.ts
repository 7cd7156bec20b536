import type { Context } from "hono";
import { standsInOnError } from "../catalog/freshness";
import { normalizeUrl } from "../catalog/key";
import { staleResponse } from "../catalog/stale";
import type { SnapshotMeta } from "../catalog/store";
import type { Shop } from "../config/shop";
import type { AppEnv, Env } from "../config/env";
import { log } from "../log";
import { backupBucket, objectKey, readPointer, type ExportPointer } from "./layout";
import { count } from "../metrics/counters";

/** Isolates look at the pointer at most this often; the version before it is kept, so a late look still finds its objects. */
const POINTER_MEMO_MS = 30_000;
const pointers = new Map<string, { at: number; pointer: ExportPointer | null }>();

export function rememberPointer(shopId: string, pointer: ExportPointer | null, now = Date.now()): void {
  pointers.set(shopId, { at: now, pointer });
}

async function publishedExport(bucket: R2Bucket, shopId: string, now: number): Promise<ExportPointer | null> {
  const known = pointers.get(shopId);
  if (known && now - known.at < POINTER_MEMO_MS) return known.pointer;
  const pointer = await readPointer(bucket, shopId);
  rememberPointer(shopId, pointer, now);
  return pointer;
}

/** The page's snapshot record in the export, if the copy may still stand in for the origin (its stale-if-error window). */
function usableMeta(object: R2Object, shop: Shop, now: number): SnapshotMeta | null {
  const stored = object.customMetadata?.snapshot;
  const meta = stored ? (JSON.parse(stored) as SnapshotMeta) : null;
  return meta && standsInOnError(meta, shop.config, now) ? meta : null;
}

/**
 * A page's copy in the published export, without its body, if it may stand in
 * for the origin now: for the maintenance page's list of pages still available.
 */
export async function exportedPage(
  env: Env,
  shop: Shop,
  normalized: string,
  now = Date.now(),
): Promise<SnapshotMeta | null> {
  const bucket = backupBucket(env, shop);
  if (!bucket) return null;
  try {
    const pointer = await publishedExport(bucket, shop.id, now);
    const object = pointer && (await bucket.head(await objectKey(shop.id, pointer.version, normalized)));
    return object ? usableMeta(object, shop, now) : null;
  } catch (error) {
    log("warn", "static_backup_read_failed", { shop: shop.id, url: normalized, error: String(error) });
    return null;
  }
}

/**
 * The page from the published static export when no origin answers: served
 * like a stale snapshot (stored status and headers, Age, no-store, the banner
 * with the time it was exported, since prices may have changed) but marked
 * `backup`. Null when the static backup is off, holds no usable copy of the
 * page, or its copy is not newer than `newerThan` (the storedAt of the page's
 * servable snapshot): the newest copy wins.
 */
export async function exportedResponse(
  c: Context<AppEnv>,
  newerThan: number | null,
  now = Date.now(),
): Promise<Response | null> {
  const shop = c.get("shop");
  const bucket = backupBucket(c.env, shop);
  if (!bucket) return null;
  const request = c.req.raw;
  try {
    const pointer = await publishedExport(bucket, shop.id, now);
    if (!pointer || (newerThan !== null && newerThan >= pointer.completedAt)) return null;
    const key = await objectKey(shop.id, pointer.version, normalizeUrl(request.url));
    const withBody = request.method === "HEAD" ? null : await bucket.get(key);
    const object = withBody ?? (request.method === "HEAD" ? await bucket.head(key) : null);
    const meta = object && usableMeta(object, shop, now);
    if (!meta || (newerThan !== null && meta.storedAt <= newerThan)) {
      await withBody?.body.cancel();
      return null;
    }
    const body = withBody ? await withBody.arrayBuffer() : new ArrayBuffer(0);
    count(c.env, shop.id, "snapshot_hits", { use: "export" });
    return staleResponse({ ...meta, body }, request.method, now, {
      offerCheckout: shop.config.catalogFeedUrl !== undefined,
      source: "backup",
    });
  } catch (error) {
    log("warn", "static_backup_read_failed", { shop: shop.id, url: request.url, error: String(error) });
    return null;
  }
}
