import type { Config } from "../config/schema";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { log } from "../log";
import { defaultVariant, requestIsShareable, responseIsShareable } from "./shareable";
import { firstCapThisMinute, takeNewKey } from "./new-keys";
import { hasSnapshot, releaseClaim, writeSnapshot, type StoreResult } from "./store";
import { count } from "../metrics/counters";

/**
 * Why a live answer may not become the page's snapshot (the rule that stopped
 * it, e.g. `set_cookie:sid`), or null when it may: safe for everyone, and not
 * too large by its own account.
 */
export function whyNotKept(request: Request, response: Response, config: Config): string | null {
  const declaredLength = Number(response.headers.get("content-length") ?? "0");
  if (response.body === null) return "no_body";
  if (declaredLength > config.snapshotMaxBytes) return "too_large";
  if (!schemeAsShopped(request.url, config.shopUrl)) return "scheme";
  const cookieless = !request.headers.has("cookie");
  for (const decision of [
    requestIsShareable(request, config),
    responseIsShareable(response, {
      statuses: config.snapshotStatuses,
      anonymousCookies: cookieless ? config.anonymousCookies : [],
    }),
    defaultVariant(request, response),
  ])
    if (!decision.shareable) return decision.reason;
  return null;
}

/** Whether a live answer should become the page's snapshot (see whyNotKept). */
export function worthKeeping(request: Request, response: Response, config: Config): boolean {
  return whyNotKept(request, response, config) === null;
}

/**
 * The key leaves the scheme out, so only a request over the shop's own scheme
 * (SHOP_URL's) may store: an http:// answer (http links, a redirect to https)
 * must not stand in for the https page.
 */
function schemeAsShopped(url: string, shopUrl: string | undefined): boolean {
  return shopUrl === undefined || url.slice(0, url.indexOf(":")) === shopUrl.slice(0, shopUrl.indexOf(":"));
}

/**
 * Stores the page's snapshot; storage trouble is logged and counted, never
 * thrown at a shopper. `traffic`: a shopper's answer, where a page this
 * isolate has not stored before (`known` false) takes one of the minute's new
 * keys (SNAPSHOT_NEW_KEYS_PER_MIN) unless it already has a snapshot, so a
 * flood of made-up URLs cannot flood storage while refreshing a page is never
 * held back; `claim` is the refresh claim given back when the write is capped.
 */
export async function keepSnapshot(
  env: Env,
  shop: Shop,
  host: string,
  normalized: string,
  response: Response,
  source: "origin" | "backup",
  traffic?: { known: boolean; claim: string },
): Promise<StoreResult | "capped"> {
  const perMin = shop.config.snapshotNewKeysPerMin;
  if (
    traffic &&
    !traffic.known &&
    !takeNewKey(shop.id, perMin) &&
    !(await hasSnapshot(env, shop.id, host, normalized))
  ) {
    await response.body?.cancel();
    releaseClaim(traffic.claim);
    count(env, shop.id, "snapshot_stores", { result: "capped" });
    if (firstCapThisMinute(shop.id, perMin))
      log("warn", "snapshot_new_keys_capped", { shop: shop.id, perMin, key: normalized });
    return "capped";
  }
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
