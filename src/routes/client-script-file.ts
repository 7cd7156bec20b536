import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { serveStaticAsset, staticAsset } from "../http/static-asset";
import source from "../../static/client.browser.js";

/** The checkout helper (static/client.browser.js) and the versioned URL injected pages load it from. */
const CLIENT_SCRIPT = staticAsset("/__stayopen/client.js", source, "text/javascript; charset=utf-8");
export const CLIENT_SCRIPT_URL = CLIENT_SCRIPT.url;

/** `GET /__stayopen/client.js` (see serveStaticAsset for its caching). */
export function serveClientScript(c: Context<AppEnv>): Response {
  return serveStaticAsset(c, CLIENT_SCRIPT);
}
