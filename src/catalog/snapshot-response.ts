import type { Context } from "hono";
import { forcedMaintenance } from "../control/forced";
import type { AppEnv } from "../env";
import { count } from "../metrics";
import { standsInOnError } from "./freshness";
import { normalizeUrl } from "./key";
import { staleResponse } from "./stale";
import { readSnapshot } from "./store";

/**
 * The requested page's newest snapshot as a stale response (banner included,
 * with the operator's message while maintenance is forced), when one exists
 * that may still stand in for the origin; otherwise null.
 */
export async function snapshotResponse(
  c: Context<AppEnv>,
  { lastResort }: { lastResort: boolean },
  now = Date.now(),
): Promise<Response | null> {
  const request = c.req.raw;
  const shop = c.get("shop");
  const url = new URL(request.url);
  const snapshot = await readSnapshot(c.env, shop.id, url.host, normalizeUrl(url), (promise) =>
    c.executionCtx.waitUntil(promise),
  );
  if (!snapshot || !standsInOnError(snapshot, shop.config, now)) {
    // Only a last resort's miss is a shopper without the page; otherwise the origin is asked next.
    if (lastResort) count(c.env, shop.id, "snapshot_misses", { reason: snapshot ? "too_old" : "missing" });
    return null;
  }
  count(c.env, shop.id, "snapshot_hits", { use: "stale" });
  return staleResponse(snapshot, request.method, now, {
    offerCheckout: shop.config.catalogFeedUrl !== undefined,
    message: forcedMaintenance(c)?.message ?? null,
  });
}
