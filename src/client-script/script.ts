import type { Context } from "hono";
import type { AppEnv } from "../env";
import source from "../../static/client.browser.js";

/**
 * A short content hash of the script (cyrb53): it versions the URL pages
 * load it from, so the script can be cached for a year and a new deploy is
 * still picked up at once. Not a security measure, only a cache key.
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

export const CLIENT_SCRIPT_VERSION = contentHash(source);
export const CLIENT_SCRIPT_PATH = "/__stayopen/client.js";
/** What injected pages load: the versioned URL. */
export const CLIENT_SCRIPT_URL = `${CLIENT_SCRIPT_PATH}?v=${CLIENT_SCRIPT_VERSION}`;

/**
 * `GET /__stayopen/client.js`: the checkout helper (static/client.browser.js).
 * At its current version (`?v=`) it is immutable for a year; any other URL
 * (a shop that links it by hand, a page from before a deploy) gets the
 * current script cached for five minutes.
 */
export function serveClientScript(c: Context<AppEnv>): Response {
  const current = c.req.query("v") === CLIENT_SCRIPT_VERSION;
  return c.body(source, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": current ? "public, max-age=31536000, immutable" : "public, max-age=300",
    "x-content-type-options": "nosniff",
    "x-stayopen-source": "edge",
  });
}
