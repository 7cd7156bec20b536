import type { MiddlewareHandler } from "hono";
import type { AppEnv, Env } from "../config/env";
import { log } from "../log";
import { DEFAULT_SHOP_ID } from "../config/registry";
import type { Shop } from "../config/shop";

/**
 * Where the cron pre-warms: snapshots are keyed by the host shoppers use,
 * which is SHOP_URL's when set. Without it, the public origins (scheme and
 * host) shoppers have reached the worker at, remembered in one small KV
 * entry per shop: the most recent few, each with when it was last seen.
 */

/** Single-shop mode keeps the key it always had; a registered shop's is its own. */
const keyOf = (shopId: string) => (shopId === DEFAULT_SHOP_ID ? "shopper-origins" : `shopper-origins:${shopId}`);
const MAX_ORIGINS = 5;
const FORGET_AFTER_MS = 30 * 86_400_000;
/** A known origin's last-seen time is rewritten at most daily: KV allows one write per second per key. */
const REFRESH_MS = 86_400_000;

export const NOTHING_TO_PREWARM =
  "Set SHOP_URL to the public URL shoppers use, or wait for the first shopper request: the cron then pre-warms the hosts shoppers reached.";

type Seen = { origin: string; lastSeen: number };

/** Origins this isolate has already recorded: a Set lookup is all a request pays. */
const recorded = new Set<string>();

/** For shopper-facing routes only: stayopen's own routes may be reached at any host. */
export function rememberShopperOrigin(): MiddlewareHandler<AppEnv> {
  return async function rememberShopperOrigin(c, next) {
    if (!c.get("shop").config.shopUrl) {
      // Request.url is serialized by the URL parser (lower-case, no default port): up to the path is the origin.
      const url = c.req.url;
      const origin = url.slice(0, url.indexOf("/", url.indexOf("//") + 2));
      if (!recorded.has(origin)) {
        recorded.add(origin);
        c.executionCtx.waitUntil(record(c.env, c.get("shop").id, origin, Date.now()));
      }
    }
    await next();
  };
}

async function record(env: Env, shopId: string, origin: string, now: number): Promise<void> {
  try {
    const seen = await recent(env, shopId, now);
    const known = seen.find((entry) => entry.origin === origin);
    if (known && now - known.lastSeen < REFRESH_MS) return;
    // Read-modify-write: two colos adding origins at once may drop one, which its next new isolate adds again.
    const next = [{ origin, lastSeen: now }, ...seen.filter((entry) => entry !== known)].slice(0, MAX_ORIGINS);
    await env.SNAPSHOTS.put(keyOf(shopId), JSON.stringify(next));
  } catch (error) {
    log("warn", "shopper_origin_not_recorded", { origin, error: String(error) });
  }
}

/** Most recently seen first, without those not seen for FORGET_AFTER_MS. */
async function recent(env: Env, shopId: string, now: number): Promise<Seen[]> {
  const seen = (await env.SNAPSHOTS.get<Seen[]>(keyOf(shopId), "json")) ?? [];
  return seen.filter((entry) => now - entry.lastSeen < FORGET_AFTER_MS);
}

/** SHOP_URL's origin when set, else the origins shoppers reached, most recent first; empty = nothing to pre-warm. */
export async function prewarmOrigins(env: Env, shop: Shop, now = Date.now()): Promise<string[]> {
  const shopUrl = shop.config.shopUrl;
  if (shopUrl) return [new URL(shopUrl).origin];
  return (await recent(env, shop.id, now)).map((entry) => entry.origin);
}
