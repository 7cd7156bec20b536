import type { Context } from "hono";
import { forcedMaintenance } from "../control/forced";
import type { AppEnv } from "../env";
import { standsInOnError } from "./freshness";
import { normalizeUrl } from "./key";
import { staleResponse } from "./stale";
import { readSnapshot } from "./store";

/**
 * The requested page's newest snapshot as a stale response (banner included,
 * with the operator's message while maintenance is forced), when one exists
 * that may still stand in for the origin; otherwise null.
 */
export async function snapshotResponse(c: Context<AppEnv>, now = Date.now()): Promise<Response | null> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const snapshot = await readSnapshot(c.env, c.get("shop").id, url.host, normalizeUrl(url), (promise) =>
    c.executionCtx.waitUntil(promise),
  );
  if (!snapshot || !standsInOnError(snapshot, c.get("shop").config, now)) return null;
  return staleResponse(snapshot, request.method, now, {
    offerCheckout: c.get("shop").config.catalogFeedUrl !== undefined,
    message: forcedMaintenance(c)?.message ?? null,
  });
}
