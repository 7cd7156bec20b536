import { standsInOnError } from "../catalog/freshness";
import { normalizeUrl } from "../catalog/key";
import { hasSnapshot } from "../catalog/store";
import type { Shop } from "../config/schema";
import type { Env } from "../env";
import { mapLimited } from "./pool";
import { readSitemap, type SitemapRead } from "./sitemap";
import { feedLocation } from "../feed/read";

/**
 * The pages that should have a snapshot before the first outage (critical
 * paths, the product feed, the sitemap's pages) and whether they do.
 */

/** `asset`: a stylesheet, script, font or image a page needs (see snapshotAssets). */
export type PageKind = "critical" | "feed" | "sitemap" | "asset";
export type Target = { kind: PageKind; path: string; url: string };
export type PageCoverage = {
  path: string;
  kind: PageKind;
  url: string;
  snapshot: boolean;
  ageSeconds: number | null;
  /** Young enough to be served during an outage (its stale-if-error window). */
  servable: boolean;
};

export const LOOKUP_CONCURRENCY = 8;

/** SHOP_URL's origin, else the operator's own: what readiness checks before any shopper request is known. */
export function publicOrigin(shop: Shop, requestUrl?: string): string | null {
  if (shop.config.shopUrl) return new URL(shop.config.shopUrl).origin;
  return requestUrl ? new URL(requestUrl).origin : null;
}

export async function pageTargets(shop: Shop, origin: string): Promise<{ targets: Target[]; sitemap: SitemapRead }> {
  const targets: Target[] = shop.config.criticalPaths.map((path) => ({
    kind: "critical",
    path,
    url: `${origin}${path}`,
  }));
  const shopUrl = new URL(origin);
  const feed = feedLocation(shop, shopUrl.host, shopUrl.protocol.slice(0, -1));
  if (feed) targets.push({ kind: "feed", path: shop.config.catalogFeedUrl!, url: feed.publicUrl });
  const sitemap = await readSitemap(shop, origin);
  if (sitemap.ok) {
    const seen = new Set(targets.map((target) => normalizeUrl(target.url)));
    for (const path of sitemap.paths) {
      const url = `${origin}${path}`;
      const key = normalizeUrl(url);
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({ kind: "sitemap", path, url });
    }
  }
  return { targets, sitemap };
}

export async function pageCoverage(env: Env, shop: Shop, targets: Target[], now = Date.now()): Promise<PageCoverage[]> {
  return mapLimited(targets, LOOKUP_CONCURRENCY, async (target) => {
    const url = new URL(target.url);
    const meta = await hasSnapshot(env, shop.id, url.host, normalizeUrl(url));
    if (!meta) return { ...target, snapshot: false, ageSeconds: null, servable: false };
    const ageMs = now - meta.storedAt;
    return {
      ...target,
      snapshot: true,
      ageSeconds: Math.max(0, Math.floor(ageMs / 1000)),
      servable: standsInOnError(meta, shop.config, now),
    };
  });
}

export type PageResult = "stored" | "too_large" | "failed" | "refused" | "skipped";
