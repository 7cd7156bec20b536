import type { Context } from "hono";
import { etag, RETAINED_304_HEADERS } from "hono/etag";

/**
 * A short content hash (cyrb53): it versions an asset's URL, so the asset
 * can be cached for a year and a new deploy is still picked up at once. Not
 * a security measure, only a cache key.
 */
function contentHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** A file of static/ (bundled as a Text module) served by the worker at a URL that carries its version. */
export type StaticAsset = { path: string; url: string; version: string; source: string; contentType: string };

export function staticAsset(path: string, source: string, contentType: string): StaticAsset {
  const version = contentHash(source);
  return { path, url: `${path}?v=${version}`, version, source, contentType };
}

/**
 * At its current version (`?v=`) an asset is immutable for a year; any other
 * URL (linked by hand, or from a page rendered before a deploy) gets the
 * current file cached for five minutes.
 */
export function serveStaticAsset(c: Context, asset: StaticAsset): Response {
  const current = c.req.query("v") === asset.version;
  return c.body(asset.source, 200, {
    "content-type": asset.contentType,
    "cache-control": current ? "public, max-age=31536000, immutable" : "public, max-age=300",
    "x-content-type-options": "nosniff",
    "x-stayopen-source": "edge",
  });
}

/** Revalidation by ETag (304 when unchanged); a 304 still says where it came from, as every response does. */
export const staticAssetEtag = etag({ retainedHeaders: [...RETAINED_304_HEADERS, "x-stayopen-source"] });
