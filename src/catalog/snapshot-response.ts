import type { Context } from "hono";
import { forcedMaintenance } from "../control/forced";
import type { AppEnv } from "../config/env";
import { standsInOnError } from "./freshness";
import { normalizeUrl } from "./key";
import { prepareStale, staleResponse } from "./stale";
import { readSnapshot, type Snapshot } from "./store";
import { count } from "../metrics/counters";

/** The requested page's newest snapshot, if any, and whether it may still stand in for the origin. */
export type PageSnapshot = { snapshot: Snapshot; servable: true } | { snapshot: Snapshot | null; servable: false };

export async function pageSnapshot(c: Context<AppEnv>, now: number): Promise<PageSnapshot> {
  const shop = c.get("shop");
  const url = new URL(c.req.url);
  const snapshot = await readSnapshot(c.env, shop.id, url.host, normalizeUrl(url), (promise) =>
    c.executionCtx.waitUntil(promise),
  );
  if (!snapshot || !standsInOnError(snapshot, shop.config, now)) return { snapshot, servable: false };
  await prepareStale(snapshot);
  return { snapshot, servable: true };
}

/**
 * A servable snapshot as a stale response (banner included, with the
 * operator's message while maintenance is forced), counted as a hit; else
 * null, counted as a miss when it is the last resort (otherwise the origin
 * is asked next).
 */
export function standIn(
  c: Context<AppEnv>,
  found: PageSnapshot,
  now: number,
  { lastResort }: { lastResort: boolean },
): Response | null {
  const shop = c.get("shop");
  if (!found.servable) {
    if (lastResort) count(c.env, shop.id, "snapshot_misses", { reason: found.snapshot ? "too_old" : "missing" });
    return null;
  }
  count(c.env, shop.id, "snapshot_hits", { use: "stale" });
  return staleResponse(found.snapshot, c.req.method, now, {
    offerCheckout: shop.config.catalogFeedUrl !== undefined,
    message: forcedMaintenance(c)?.message ?? null,
  });
}

/** The requested page's newest snapshot as a stale response when it may stand in for the origin; otherwise null. */
export async function snapshotResponse(
  c: Context<AppEnv>,
  options: { lastResort: boolean },
  now = Date.now(),
): Promise<Response | null> {
  return standIn(c, await pageSnapshot(c, now), now, options);
}
