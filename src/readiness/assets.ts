import { normalizeUrl } from "../catalog/key";
import { readSnapshot, type Snapshot } from "../catalog/store";
import { MAX_ASSETS_PER_PAGE, subresourcesOf } from "../catalog/subresources";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { LOOKUP_CONCURRENCY, pageCoverage, type PageCoverage, type Target } from "../coverage/targets";
import { mapLimited } from "../coverage/pool";

type WaitUntil = (promise: Promise<unknown>) => void;

const contentType = (snapshot: Snapshot) => snapshot.headers.find(([name]) => name === "content-type")?.[1] ?? null;

/**
 * The same-origin files a page's snapshot needs (its subresources, then what
 * its stored stylesheets point at: fonts, background images), at most
 * MAX_ASSETS_PER_PAGE. Null when the page has no snapshot to look into.
 */
export async function snapshotAssets(
  env: Env,
  shop: Shop,
  pageUrl: string,
  waitUntil: WaitUntil,
): Promise<string[] | null> {
  const read = (url: string) => readSnapshot(env, shop.id, new URL(url).host, normalizeUrl(url), waitUntil);
  const page = await read(pageUrl);
  if (!page) return null;
  const direct = await subresourcesOf(page.body, contentType(page), pageUrl);
  const urls = direct.map((asset) => asset.url);
  for (const sheet of direct.filter((asset) => asset.stylesheet)) {
    if (urls.length >= MAX_ASSETS_PER_PAGE) break;
    const css = await read(sheet.url);
    if (!css) continue;
    for (const asset of await subresourcesOf(css.body, contentType(css), sheet.url)) {
      if (urls.length >= MAX_ASSETS_PER_PAGE) break;
      if (!urls.includes(asset.url) && asset.url !== pageUrl) urls.push(asset.url);
    }
  }
  return urls;
}

/** An asset as a coverage target. */
export function assetTarget(url: string): Target {
  const { pathname, search } = new URL(url);
  return { kind: "asset", path: `${pathname}${search}`, url };
}

/** One critical page's assets: how many it needs and which have no servable snapshot. */
export type PageAssets = { path: string; assets: number; missing: string[] };

/** The assets of the critical pages that have a snapshot, and which of them would be missing offline. */
export async function criticalPageAssets(
  env: Env,
  shop: Shop,
  pages: PageCoverage[],
  now: number,
): Promise<PageAssets[]> {
  const critical = pages.filter((page) => page.kind === "critical" && page.snapshot);
  const warming: Promise<unknown>[] = [];
  const found = await mapLimited(critical, LOOKUP_CONCURRENCY, async (page) => {
    const urls = (await snapshotAssets(env, shop, page.url, (promise) => warming.push(promise))) ?? [];
    const coverage = await pageCoverage(env, shop, urls.map(assetTarget), now);
    return {
      path: page.path,
      assets: urls.length,
      missing: coverage.filter((asset) => !asset.servable).map((asset) => asset.path),
    };
  });
  await Promise.allSettled(warming);
  return found;
}
