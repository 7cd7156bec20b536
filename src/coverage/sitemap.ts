import { decodeEntities } from "../http/html-entities";
import { originProblem, type Shop } from "../config/shop";
import { fetchWithDeadline } from "../origin/fetch";
import { PREWARM_USER_AGENT } from "./user-agent";

/**
 * Reads the shop's sitemap (SITEMAP_URL, a path on the origin or a URL) for
 * the pages worth pre-warming. Bounded everywhere: at most `limit` pages, a few
 * child sitemaps of a sitemap index, a few megabytes read, then the stream is
 * cancelled. A good read is remembered briefly so readiness checks and cron
 * runs do not refetch it.
 */

export type SitemapRead = { ok: true; paths: string[]; truncated: boolean } | { ok: false; reason: string };

export const MAX_SITEMAP_PAGES = 200;
const MAX_CHILD_SITEMAPS = 5;
const MAX_SITEMAP_BYTES = 5 * 1024 * 1024;
const REMEMBER_MS = 5 * 60_000;
/** Unmatched text kept between chunks: enough for one <loc> element split across them. */
const CARRY_CHARS = 4096;

const LOC = /<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]]*?)\s*(?:\]\]>)?\s*<\/loc>/gi;

type Locs = { index: boolean; locs: string[]; truncated: boolean };

/** Pulls <loc> values out of a sitemap stream until `limit` are found or the byte budget is spent. */
export async function collectLocs(
  body: ReadableStream<Uint8Array>,
  limit: number,
  maxBytes = MAX_SITEMAP_BYTES,
): Promise<Locs> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const found: Locs = { index: false, locs: [], truncated: false };
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    text += decoder.decode(value, { stream: true });
    found.index ||= text.includes("<sitemapindex");
    let consumed = 0;
    for (const match of text.matchAll(LOC)) {
      if (found.locs.length >= limit) break;
      found.locs.push(decodeEntities(match[1]!));
      consumed = match.index + match[0].length;
    }
    text = text.slice(Math.max(consumed, text.length - CARRY_CHARS));
    if (found.locs.length >= limit || bytes >= maxBytes) {
      found.truncated = true;
      await reader.cancel();
      break;
    }
  }
  return found;
}

async function fetchLocs(url: string, limit: number, timeoutMs: number): Promise<Locs | { error: string }> {
  const request = new Request(url, {
    headers: { "user-agent": PREWARM_USER_AGENT, accept: "application/xml, text/xml;q=0.9, */*;q=0.1" },
  });
  const attempt = await fetchWithDeadline(request, timeoutMs);
  if (attempt.kind === "error") return { error: attempt.reason };
  const response = attempt.response;
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    return { error: `status_${response.status}` };
  }
  const gzipped = new URL(url).pathname.endsWith(".gz");
  return collectLocs(gzipped ? response.body.pipeThrough(new DecompressionStream("gzip")) : response.body, limit);
}

const remembered = new Map<string, { at: number; read: SitemapRead }>();

export async function readSitemap(shop: Shop, publicOrigin: string, now = Date.now()): Promise<SitemapRead> {
  const configured = shop.config.sitemapUrl;
  if (!configured) return { ok: false, reason: "not_configured" };
  // A path is read from the origin: without a usable ORIGIN_URL there is none to read it from.
  if (originProblem(shop.config)) return { ok: false, reason: "ORIGIN_URL is unusable" };
  const memo = `${shop.id} ${publicOrigin} ${configured}`;
  const known = remembered.get(memo);
  if (known && now - known.at < REMEMBER_MS) return known.read;

  const read = await fetchSitemap(shop, publicOrigin, configured);
  // A failed read is not remembered: the next look should see the origin's recovery.
  if (read.ok) remembered.set(memo, { at: now, read });
  return read;
}

async function fetchSitemap(shop: Shop, publicOrigin: string, configured: string): Promise<SitemapRead> {
  const originUrl = shop.config.originUrl;
  const publicHost = new URL(publicOrigin).host;
  const known = new Set([publicHost, new URL(originUrl).host]);
  // Sitemaps name the public host; reading them from the origin avoids a trip back through this worker.
  const onOrigin = (url: URL) => (url.host === publicHost ? `${originUrl}${url.pathname}${url.search}` : url.href);
  const timeoutMs = shop.config.originTimeoutMs;

  const rootUrl = configured.startsWith("/") ? `${originUrl}${configured}` : onOrigin(new URL(configured));
  const root = await fetchLocs(rootUrl, MAX_SITEMAP_PAGES, timeoutMs);
  if ("error" in root) return { ok: false, reason: root.error };
  let pageLocs = root.locs;
  let truncated = root.truncated;
  if (root.index) {
    pageLocs = [];
    const children = root.locs.flatMap((loc) => (URL.canParse(loc) ? [new URL(loc)] : [])).slice(0, MAX_CHILD_SITEMAPS);
    truncated ||= root.locs.length > MAX_CHILD_SITEMAPS;
    for (const child of children) {
      if (pageLocs.length >= MAX_SITEMAP_PAGES) break;
      const locs = await fetchLocs(onOrigin(child), MAX_SITEMAP_PAGES - pageLocs.length, timeoutMs);
      if ("error" in locs) continue;
      pageLocs = pageLocs.concat(locs.locs);
      truncated ||= locs.truncated;
    }
  }
  const paths = new Set<string>();
  for (const loc of pageLocs) {
    if (!URL.canParse(loc)) continue;
    const url = new URL(loc);
    if (known.has(url.host)) paths.add(`${url.pathname}${url.search}`);
  }
  return { ok: true, paths: [...paths], truncated };
}
