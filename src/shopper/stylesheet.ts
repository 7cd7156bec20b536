import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { serveStaticAsset, staticAsset } from "../http/static-asset";
import css from "../../static/stayopen.css";

/**
 * The stylesheet of the pages stayopen renders itself (static/stayopen.css),
 * bundled with the worker so it needs no asset layer in front of every
 * request. Plain, high-contrast, phone-first; no web fonts. Pages link its
 * versioned URL.
 */
export const STYLESHEET = staticAsset("/__stayopen/assets/stayopen.css", css, "text/css; charset=utf-8");

/** `/__stayopen/assets/stayopen.css` (see serveStaticAsset for its caching). */
export function serveStylesheet(c: Context<AppEnv>): Response {
  return serveStaticAsset(c, STYLESHEET);
}
