import type { Env } from "../config/env";
import { decodeEntities } from "../http/html-entities";
import { readLimited } from "../http/body";
import { log } from "../log";
import { storageKey } from "./key";

/**
 * Snapshot storage in two tiers: the Cache API is this colo's hot copy, KV the
 * copy every colo can read. Both hold the same bytes and metadata.
 */

export type SnapshotMeta = {
  status: number;
  headers: [string, string][];
  storedAt: number;
  title?: string;
  /** The origin's Cache-Control when stored, for freshness decisions; absent on older snapshots. */
  cacheControl?: string;
  /** A backup origin's answer: it stands in while the primary fails, never ahead of a healthy primary. */
  fromBackup?: true;
};
export type Snapshot = SnapshotMeta & { body: ArrayBuffer };

/**
 * Only headers that describe the content and how a browser must treat it;
 * never cookies, never caching directives of the origin. A copy that cannot
 * keep the first group (the page's security policy with it) is not kept at all.
 */
const REQUIRED_HEADERS = [
  "content-type",
  "location",
  "content-security-policy",
  "x-frame-options",
  "x-content-type-options",
  "referrer-policy",
  "permissions-policy",
  "strict-transport-security",
  "cross-origin-opener-policy",
  "cross-origin-resource-policy",
];
const OPTIONAL_HEADERS = ["content-language", "content-disposition", "last-modified", "etag"];
const CACHE_TTL_S = 7 * 86_400;
const KV_TTL_S = 30 * 86_400;
/** KV metadata must stay under 1024 bytes serialized. */
const MAX_META_BYTES = 1000;
const META_HEADER = "x-stayopen-snapshot";

/** Header values must be ASCII; titles are not ("Coffee · Tea"), so non-ASCII goes as JSON \u escapes. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
const MAX_CACHE_CONTROL_CHARS = 200;

function cacheKey(host: string, key: string): Request {
  return new Request(`https://${host}/__stayopen/snapshots/${encodeURIComponent(key)}`);
}

function metaFor(status: number, headers: Headers, storedAt: number, title: string | undefined): SnapshotMeta | null {
  const kept = (names: string[]) =>
    names.flatMap((name) => (headers.has(name) ? [[name, headers.get(name)!] as [string, string]] : []));
  const required = kept(REQUIRED_HEADERS);
  const optional = kept(OPTIONAL_HEADERS);
  const meta: SnapshotMeta = {
    status,
    headers: [...required, ...optional],
    storedAt,
    ...(title ? { title: title.slice(0, 120) } : {}),
    ...cacheControlFor(headers),
  };
  const fits = () => JSON.stringify(meta).length <= MAX_META_BYTES;
  if (!fits()) delete meta.title;
  while (!fits() && meta.headers.length > required.length) meta.headers.pop();
  return fits() ? meta : null;
}

/** Kept whole or not at all: a cut directive could change its meaning. */
function cacheControlFor(headers: Headers): { cacheControl?: string } {
  const value = headers.get("cache-control");
  return value && value.length <= MAX_CACHE_CONTROL_CHARS ? { cacheControl: value } : {};
}

async function pageTitle(body: Uint8Array, contentType: string | null): Promise<string | undefined> {
  if (!contentType?.includes("text/html")) return undefined;
  let title = "";
  await new HTMLRewriter()
    .on("head > title", { text: (chunk) => void (title += chunk.text) })
    .transform(new Response(body))
    .arrayBuffer();
  return decodeEntities(title).replace(/\s+/g, " ").trim() || undefined;
}

/** The hot copy is always stored as a 200; the page's real status travels in the metadata. */
function putHot(host: string, key: string, body: BufferSource, meta: SnapshotMeta): Promise<void> {
  const headers = { "cache-control": `public, max-age=${CACHE_TTL_S}`, [META_HEADER]: asciiJson(meta) };
  return caches.default.put(cacheKey(host, key), new Response(body, { headers }));
}

/** The metadata a snapshot of this content carries: its status, content headers, title and Cache-Control. */
export async function snapshotMeta(
  status: number,
  headers: Headers,
  body: Uint8Array,
  storedAt: number,
): Promise<SnapshotMeta | null> {
  return metaFor(status, headers, storedAt, await pageTitle(body, headers.get("content-type")));
}

/** `failed`: the copy every colo reads could not be written (this colo's may have been). */
export type StoreResult = "stored" | "too_large" | "failed";

/** Reads the body (up to maxBytes) and writes it to both tiers. */
export async function writeSnapshot(
  env: Env,
  shopId: string,
  host: string,
  normalized: string,
  response: Response,
  options: { maxBytes: number; fromBackup: boolean },
): Promise<StoreResult> {
  const read = await readLimited(response.body, options.maxBytes);
  if (!read.ok) return "too_large";
  const key = await storageKey(shopId, normalized);
  recentlyRead.delete(`${host} ${key}`);
  const meta = await snapshotMeta(response.status, response.headers, read.bytes, Date.now());
  if (!meta) return "too_large";
  if (options.fromBackup) meta.fromBackup = true;

  const [, shared] = await Promise.all([
    putHot(host, key, read.bytes, meta),
    // Another isolate may have written this key within the last second; KV allows one write per second per key.
    env.SNAPSHOTS.put(key, read.bytes, { metadata: meta, expirationTtl: KV_TTL_S }).then(
      () => true,
      (error: unknown) => {
        log("warn", "snapshot_kv_write_failed", { shop: shopId, key: normalized, error: String(error) });
        return false;
      },
    ),
  ]);
  return shared ? "stored" : "failed";
}

/** The hot copy when this colo has one, else the cross-colo copy (which then warms this colo). */
export async function readSnapshot(
  env: Env,
  shopId: string,
  host: string,
  normalized: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Snapshot | null> {
  const key = await storageKey(shopId, normalized);
  const remembered = recentlyRead.get(`${host} ${key}`);
  if (remembered && Date.now() - remembered.at < REMEMBER_READ_MS)
    return { ...remembered.snapshot, body: remembered.snapshot.body.slice(0) };
  const snapshot = await readFromStorage(env, host, key, waitUntil);
  if (snapshot) rememberRead(`${host} ${key}`, snapshot);
  return snapshot;
}

async function readFromStorage(
  env: Env,
  host: string,
  key: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Snapshot | null> {
  const hot = await readHot(host, key);
  if (hot) return hot;
  const { value, metadata } = await env.SNAPSHOTS.getWithMetadata<SnapshotMeta>(key, "arrayBuffer");
  if (!value || !metadata) return null;
  waitUntil(putHot(host, key, value.slice(0), metadata));
  return { ...metadata, body: value };
}

/**
 * During an outage the same few pages are read again and again: the last
 * reads stay in this isolate for a few seconds, small pages only, a bounded
 * number, so a flood of stale pages does not become a flood of storage reads.
 */
const recentlyRead = new Map<string, { at: number; snapshot: Snapshot }>();
const REMEMBER_READ_MS = 5_000;
const REMEMBER_MAX_ENTRIES = 64;
const REMEMBER_MAX_BYTES = 256 * 1024;

function rememberRead(key: string, snapshot: Snapshot): void {
  if (snapshot.body.byteLength > REMEMBER_MAX_BYTES) return;
  if (recentlyRead.size >= REMEMBER_MAX_ENTRIES) recentlyRead.delete(recentlyRead.keys().next().value!);
  recentlyRead.set(key, { at: Date.now(), snapshot: { ...snapshot, body: snapshot.body.slice(0) } });
}

async function readHot(host: string, key: string): Promise<Snapshot | null> {
  const hot = await caches.default.match(cacheKey(host, key));
  const hotMeta = hot?.headers.get(META_HEADER);
  if (!hot || !hotMeta) return null;
  return { ...(JSON.parse(hotMeta) as SnapshotMeta), body: await hot.arrayBuffer() };
}

/** This colo's hot copy only: cheap enough to consult on the healthy path. */
export async function readHotSnapshot(shopId: string, host: string, normalized: string): Promise<Snapshot | null> {
  return readHot(host, await storageKey(shopId, normalized));
}

/** Whether any snapshot exists for a page, for the offline-pages list and readiness. */
export async function hasSnapshot(
  env: Env,
  shopId: string,
  host: string,
  normalized: string,
): Promise<SnapshotMeta | null> {
  const key = await storageKey(shopId, normalized);
  const hot = await caches.default.match(cacheKey(host, key));
  const hotMeta = hot?.headers.get(META_HEADER);
  if (hot && hotMeta) {
    await hot.body?.cancel();
    return JSON.parse(hotMeta) as SnapshotMeta;
  }
  const { value, metadata } = await env.SNAPSHOTS.getWithMetadata<SnapshotMeta>(key, "stream");
  await value?.cancel();
  return metadata ?? null;
}

const lastClaimed = new Map<string, number>();
const MAX_TRACKED_KEYS = 10_000;

/**
 * Decides in memory whether this isolate should refresh a page's snapshot now,
 * so the healthy path stores each page at most once per refresh interval
 * instead of copying every response.
 */
export function claimRefresh(normalizedKey: string, refreshS: number, now = Date.now()): boolean {
  if (!refreshDue(normalizedKey, refreshS, now)) return false;
  if (lastClaimed.size >= MAX_TRACKED_KEYS) lastClaimed.delete(lastClaimed.keys().next().value!);
  lastClaimed.delete(normalizedKey);
  lastClaimed.set(normalizedKey, now);
  return true;
}

/** Whether this isolate has claimed the page before (so it has, or had, a snapshot): a refresh, not a new key. */
export function claimedBefore(normalizedKey: string): boolean {
  return lastClaimed.has(normalizedKey);
}

/** Forgets a claim whose write did not happen, so the page is not taken for a known one next time. */
export function releaseClaim(normalizedKey: string): void {
  lastClaimed.delete(normalizedKey);
}

/** Whether claimRefresh would claim the page now; claims nothing, so it can come before costlier checks. */
export function refreshDue(normalizedKey: string, refreshS: number, now = Date.now()): boolean {
  const last = lastClaimed.get(normalizedKey);
  return last === undefined || now - last >= refreshS * 1000;
}
