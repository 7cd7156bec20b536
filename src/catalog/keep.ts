import type { Config, Shop } from "../config/schema";
import type { Env } from "../env";
import { log } from "../log";
import { defaultVariant, requestIsShareable, responseIsShareable } from "./shareable";
import { writeSnapshot, type StoreResult } from "./store";
import { count } from "../metrics/counters";

/** Whether a live answer should become the page's snapshot: safe for everyone, and not too large by its own account. */
export function worthKeeping(request: Request, response: Response, config: Config): boolean {
  const declaredLength = Number(response.headers.get("content-length") ?? "0");
  return (
    response.body !== null &&
    declaredLength <= config.snapshotMaxBytes &&
    schemeAsShopped(request.url, config.shopUrl) &&
    requestIsShareable(request, config.sessionCookies).shareable &&
    responseIsShareable(response, config.snapshotStatuses).shareable &&
    defaultVariant(request, response).shareable
  );
}

/**
 * The key leaves the scheme out, so only a request over the shop's own scheme
 * (SHOP_URL's) may store: an http:// answer (http links, a redirect to https)
 * must not stand in for the https page.
 */
function schemeAsShopped(url: string, shopUrl: string | undefined): boolean {
  return shopUrl === undefined || url.slice(0, url.indexOf(":")) === shopUrl.slice(0, shopUrl.indexOf(":"));
}

/** Stores the page's snapshot; storage trouble is logged and counted, never thrown at a shopper. */
export async function keepSnapshot(
  env: Env,
  shop: Shop,
  host: string,
  normalized: string,
  response: Response,
  source: "origin" | "backup",
): Promise<StoreResult> {
  let result: StoreResult;
  try {
    result = await writeSnapshot(env, shop.id, host, normalized, response, {
      maxBytes: shop.config.snapshotMaxBytes,
      fromBackup: source === "backup",
    });
  } catch (error) {
    result = "failed";
    log("warn", "snapshot_write_failed", { shop: shop.id, key: normalized, error: String(error) });
  }
  count(env, shop.id, "snapshot_stores", { result });
  return result;
}
