import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import type { ForcedMaintenance } from "../control/maintenance";
import type { Incident } from "../incidents/incident";
import { incidentLog } from "../incidents/store";
import { log } from "../log";
import { waitingOrderCount } from "../orders/queue";
import { shopperFacingState } from "../origin/failover";
import type { OriginHealth } from "../origin/health";
import { sharedOriginHealth } from "../origin/sync";
import type { PublicStatus } from "../shopper/status";

const STATUS_INCIDENTS = 10;

/** The history is part of the page, not a reason to fail it: without it the page still says how the shop is. */
async function recentIncidents(env: Env, shop: Shop): Promise<Incident[]> {
  try {
    return (await incidentLog(env, shop.id).list(shop.id, { before: null, limit: STATUS_INCIDENTS })).incidents;
  } catch (error) {
    log("warn", "incidents_unreadable", { shop: shop.id, error: String(error) });
    return [];
  }
}

/** Up while shoppers reach the primary, else degraded while a backup still answers (see `shopperFacingState`). */
async function originLabel(env: Env, shop: Shop, primary: OriginHealth): Promise<PublicStatus["origin"]> {
  if (primary.label !== "down" || shop.config.backupOrigins.length === 0) return shopperFacingState(primary.label, []);
  const backups = await Promise.all(
    shop.config.backupOrigins.map((backup) => sharedOriginHealth(env, shop, backup.url)),
  );
  return shopperFacingState(
    primary.label,
    backups.map((backup) => backup.label),
  );
}

/**
 * One shop's status.json, from the shared state: the origins' monitors, the
 * incident log and the queue, with the maintenance in force (`forced`, looked
 * up by the caller: this isolate's copy for a shopper, the Durable Object for
 * the platform). For any shop, not only the request's: the platform lists them all.
 */
export async function shopStatus(
  env: Env,
  shop: Shop,
  forcedLookup: Promise<ForcedMaintenance | null>,
): Promise<PublicStatus> {
  const [health, forced, incidents, queuedOrders] = await Promise.all([
    sharedOriginHealth(env, shop),
    forcedLookup,
    recentIncidents(env, shop),
    waitingOrderCount(env, shop),
  ]);
  return {
    origin: await originLabel(env, shop, health),
    mode: forced ? "maintenance" : "auto",
    since: new Date(forced?.since ?? health.since).toISOString(),
    message: forced?.message ?? null,
    queuedOrders,
    incidents,
  };
}
