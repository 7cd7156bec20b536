import { standsInOnError } from "../catalog/freshness";
import { normalizeUrl } from "../catalog/key";
import { refusalOf } from "../catalog/refusals";
import { hasSnapshot } from "../catalog/store";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { mapLimited } from "./pool";
import { readSitemap, type SitemapRead } from "./sitemap";
import { feedLocation } from "../feed/read";

/**
 * The pages that should have a snapshot before the first outage (critical
 * paths, the product feed, the sitemap's pages) and whether they do.
 */

/**
 * `asset`: a stylesheet, script, font or image a page needs (see snapshotAssets);
 * `well_known`: a file browsers and crawlers ask for beside every page (WELL_KNOWN_PATHS).
 */
export type PageKind = "critical" | "well_known" | "feed" | "sitemap" | "asset";
export type Target = { kind: PageKind; path: string; url: string };
export type PageCoverage = {
  path: string;
  kind: PageKind;
  url: string;
  snapshot: boolean;
  ageSeconds: number | null;
  /** Young enough to be served during an outage (its stale-if-error window). */
  servable: boolean;
  /** Not servable: the rule that stopped its last pre-warm (e.g. `set_cookie:sid`), when newer than its snapshot. */
  refused?: string;
};

/** Asked for by browsers and crawlers on every page: without a snapshot a stale page comes with 503s for them. */
export const WELL_KNOWN_PATHS = ["/favicon.ico", "/robots.txt", "/sitemap.xml"];

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
  const critical = new Set(shop.config.criticalPaths);
  for (const path of WELL_KNOWN_PATHS)
    if (!critical.has(path)) targets.push({ kind: "well_known", path, url: `${origin}${path}` });
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

/** The pages without a servable snapshot, with the rule that refused each at its last pre-warm. */
export async function withRefusals(
  env: Env,
  shop: Shop,
  pages: PageCoverage[],
  now = Date.now(),
): Promise<PageCoverage[]> {
  return mapLimited(pages, LOOKUP_CONCURRENCY, async (page) => {
    if (page.servable) return page;
    const refusal = await refusalOf(env, shop.id, normalizeUrl(page.url));
    const storedAt = page.ageSeconds === null ? -Infinity : now - page.ageSeconds * 1000;
    return refusal && refusal.at >= storedAt ? { ...page, refused: refusal.rule } : page;
  });
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

/** `capped` only ever comes from shopper traffic (see keepSnapshot); listed since the pre-warm stores the same way. */
export type PageResult = "stored" | "too_large" | "failed" | "refused" | "skipped" | "capped";
