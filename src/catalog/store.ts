import type { Env } from "../config/env";
import { decodeEntities } from "../http/html-entities";
import { readLimited } from "../http/body";
import { log } from "../log";
import { joinOrRun } from "../shared-copy";
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
  forgetRead(`${shopId} ${host} ${normalized}`);
  // A read under way may bring the copy this write replaces: later requests start their own.
  readsUnderWay.delete(`${shopId} ${host} ${normalized}`);
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

/**
 * The hot copy when this colo has one, else the cross-colo copy (which then warms this colo).
 * The snapshot returned may be shared with other requests of this isolate: read it, never change it.
 */
export async function readSnapshot(
  env: Env,
  shopId: string,
  host: string,
  normalized: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Snapshot | null> {
  const memoryKey = `${shopId} ${host} ${normalized}`;
  const remembered = recentlyRead.get(memoryKey);
  const now = Date.now();
  if (remembered && now - remembered.at < REMEMBER_READ_MS) {
    // Served again: last in line to be dropped.
    recentlyRead.delete(memoryKey);
    recentlyRead.set(memoryKey, remembered);
    return remembered.snapshot;
  }
  return joinOrRun(readsUnderWay, memoryKey, JOIN_READ_MS, () =>
    readAndRemember(env, shopId, host, normalized, memoryKey, remembered, now, waitUntil),
  );
}

const readsUnderWay = new Map<string, Promise<Snapshot | null>>();

/** How long a request waits for another request's read of the same page before it reads for itself. */
const JOIN_READ_MS = 250;

async function readAndRemember(
  env: Env,
  shopId: string,
  host: string,
  normalized: string,
  memoryKey: string,
  remembered: { at: number; snapshot: Snapshot } | undefined,
  now: number,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Snapshot | null> {
  const key = await storageKey(shopId, normalized);
  // Past the window, the hot copy's metadata tells whether the page changed; the same one is not read again.
  if (remembered && (await hotStoredAt(host, key)) === remembered.snapshot.storedAt) {
    rememberRead(memoryKey, remembered.snapshot, now);
    return remembered.snapshot;
  }
  const snapshot = await readFromStorage(env, host, key, waitUntil);
  if (snapshot) rememberRead(memoryKey, snapshot, now);
  else forgetRead(memoryKey);
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
  // Both the Cache API and a Response copy the bytes they are given: no copy of our own is needed.
  waitUntil(putHot(host, key, value, metadata));
  return { ...metadata, body: value };
}

/**
 * During an outage the same pages are read again and again, the whole catalog
 * of a busy shop included: the last reads stay in this isolate, each for a few
 * seconds before the hot copy's metadata is checked again. Bounded by bytes:
 * at most REMEMBER_MAX_TOTAL_BYTES of snapshot bodies (each held once, shared by
 * every request that serves it), the least recently served dropped first, pages
 * over REMEMBER_MAX_BYTES never kept.
 */
const recentlyRead = new Map<string, { at: number; snapshot: Snapshot }>();
const REMEMBER_READ_MS = 5_000;
export const REMEMBER_MAX_BYTES = 1024 * 1024;
export const REMEMBER_MAX_TOTAL_BYTES = 16 * 1024 * 1024;
let rememberedBytes = 0;

function rememberRead(key: string, snapshot: Snapshot, now: number): void {
  forgetRead(key);
  const size = snapshot.body.byteLength;
  if (size > REMEMBER_MAX_BYTES) return;
  while (rememberedBytes + size > REMEMBER_MAX_TOTAL_BYTES) forgetRead(recentlyRead.keys().next().value!);
  recentlyRead.set(key, { at: now, snapshot });
  rememberedBytes += size;
}

function forgetRead(key: string): void {
  const entry = recentlyRead.get(key);
  if (!entry) return;
  recentlyRead.delete(key);
  rememberedBytes -= entry.snapshot.body.byteLength;
}

/** The bytes of snapshot bodies this isolate holds now (for tests and the memory bound). */
export function rememberedSnapshotBytes(): number {
  return rememberedBytes;
}

/** The stored time of this colo's hot copy, without reading its body. */
async function hotStoredAt(host: string, key: string): Promise<number | null> {
  const hot = await caches.default.match(cacheKey(host, key));
  await hot?.body?.cancel();
  const hotMeta = hot?.headers.get(META_HEADER);
  return hotMeta ? (JSON.parse(hotMeta) as SnapshotMeta).storedAt : null;
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
