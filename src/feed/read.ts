import { normalizeUrl } from "../catalog/key";
import { claimRefresh, readSnapshot, writeSnapshot } from "../catalog/store";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { readLimited } from "../http/body";
import { log } from "../log";
import { callOrigin } from "../origin/call";
import { parseFeed, type FeedProduct } from "./schema";
import { sourceOf } from "../origin/failover";

/** The products the edge sells from, and the moment the shop last reported them. */
export type Feed = { products: Map<string, FeedProduct>; storedAt: number };

type FeedLocation = { publicUrl: string; originUrl: string; normalized: string };
type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Where the feed lives. A path is a page of the shop itself, so the catalog
 * route snapshots it under the same key whenever it passes through; an
 * absolute URL is fetched from its own host, behind its own breaker.
 */
export function feedLocation(shop: Shop, host: string, scheme = "https"): FeedLocation | null {
  const configured = shop.config.catalogFeedUrl;
  if (!configured) return null;
  const publicUrl = configured.startsWith("/") ? `${scheme}://${host}${configured}` : configured;
  const originUrl = configured.startsWith("/") ? shop.config.originUrl : new URL(configured).origin;
  return { publicUrl, originUrl, normalized: normalizeUrl(publicUrl) };
}

/** Whether a good feed snapshot is stored for this host: what the edge checkout sells from during an outage. */
export async function feedStored(env: Env, shop: Shop, host: string, waitUntil: WaitUntil): Promise<boolean> {
  const location = feedLocation(shop, host);
  if (!location) return false;
  return (await readSnapshot(env, shop.id, host, location.normalized, waitUntil))?.status === 200;
}

/** Parsing a big feed on every checkout would be wasteful; the newest parse per feed is kept for the isolate's life. */
const parsed = new Map<string, Feed>();

function decode(bytes: ArrayBuffer | Uint8Array, storedAt: number): Feed | null {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  const feed = parseFeed(document);
  if (!feed) return null;
  if (feed.skipped > 0) log("warn", "feed_products_skipped", { skipped: feed.skipped, kept: feed.products.size });
  return { products: feed.products, storedAt };
}

/**
 * The newest feed snapshot, refreshed in the background once it is older than
 * SNAPSHOT_REFRESH_S; without a snapshot, the live feed if the origin answers
 * (stored on the way). Null when no feed is configured or none can be had.
 */
export async function readFeed(env: Env, shop: Shop, host: string, waitUntil: WaitUntil): Promise<Feed | null> {
  const location = feedLocation(shop, host);
  if (!location) return null;
  const memoKey = `${shop.id} ${location.normalized}`;
  const snapshot = await readSnapshot(env, shop.id, host, location.normalized, waitUntil);
  if (snapshot && snapshot.status === 200) {
    const known = parsed.get(memoKey);
    const feed = known?.storedAt === snapshot.storedAt ? known : decode(snapshot.body, snapshot.storedAt);
    if (feed) {
      parsed.set(memoKey, feed);
      const refreshS = shop.config.snapshotRefreshS;
      if (Date.now() - feed.storedAt > refreshS * 1000 && claimRefresh(memoKey, refreshS)) {
        waitUntil(fetchAndStore(env, shop, host, location));
      }
      return feed;
    }
  }
  return fetchAndStore(env, shop, host, location);
}

/** Fetches the live feed and stores it as a snapshot; for the cron's pre-warming too. */
export async function refreshFeed(env: Env, shop: Shop, host: string): Promise<Feed | null> {
  const location = feedLocation(shop, host);
  return location ? fetchAndStore(env, shop, host, location) : null;
}

async function fetchAndStore(env: Env, shop: Shop, host: string, location: FeedLocation): Promise<Feed | null> {
  const call = await callOrigin(
    shop,
    new Request(location.publicUrl, { headers: { accept: "application/json" } }),
    location.originUrl,
  );
  if (call.kind !== "answered") return null;
  const response = call.response;
  if (response.status !== 200) {
    await response.body?.cancel();
    log("warn", "feed_fetch_refused", { shop: shop.id, feed: location.normalized, status: response.status });
    return null;
  }
  const read = await readLimited(response.body, shop.config.snapshotMaxBytes);
  if (!read.ok) {
    log("warn", "feed_unusable", { shop: shop.id, feed: location.normalized, reason: "too_large" });
    return null;
  }
  const feed = decode(read.bytes, Date.now());
  if (!feed) {
    log("warn", "feed_unusable", { shop: shop.id, feed: location.normalized, reason: "not_a_feed" });
    return null;
  }
  const stored = new Response(read.bytes, {
    status: 200,
    headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
  });
  await writeSnapshot(env, shop.id, host, location.normalized, stored, {
    maxBytes: shop.config.snapshotMaxBytes,
    fromBackup: sourceOf(shop, call.originUrl) === "backup",
  });
  log("info", "feed_refreshed", { shop: shop.id, feed: location.normalized, products: feed.products.size });
  return feed;
}
