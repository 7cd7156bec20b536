import type { Context } from "hono";
import type { Shop } from "../config/schema";
import { forcedNow } from "../control/controls";
import type { ForcedMaintenance } from "../control/maintenance";
import type { AppEnv, Env } from "../config/env";
import type { Incident } from "../incidents/incident";
import { incidentLog } from "../incidents/store";
import { log } from "../log";
import { waitingOrderCount } from "../orders/queue";
import { shopperFacingState } from "../origin/failover";
import type { OriginHealth } from "../origin/health";
import { sharedOriginHealth } from "../origin/sync";
import { renderPage } from "../shopper/render";
import { StatusPage, type PublicStatus } from "../shopper/status";

/**
 * `GET /__stayopen/status.json` and `/__stayopen/status`: the shared state
 * gathered here, rendered by shopper/status as the contract's JSON or a page.
 */

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
 * From the shared state: the origins' monitors and the operator's switches,
 * refreshed when older than BREAKER_SYNC_MS; with the maintenance in force,
 * whose end the page (not the contract's JSON) shows.
 */
async function statusView(c: Context<AppEnv>): Promise<{ status: PublicStatus; forced: ForcedMaintenance | null }> {
  const shop = c.get("shop");
  const [health, forced, incidents] = await Promise.all([
    sharedOriginHealth(c.env, shop),
    forcedNow(c, { fresh: true }),
    recentIncidents(c.env, shop),
  ]);
  const status: PublicStatus = {
    origin: await originLabel(c.env, shop, health),
    mode: forced ? "maintenance" : "auto",
    since: new Date(forced?.since ?? health.since).toISOString(),
    message: forced?.message ?? null,
    queuedOrders: await waitingOrderCount(c.env, shop),
    incidents,
  };
  return { status, forced };
}

export async function publicStatus(c: Context<AppEnv>): Promise<PublicStatus> {
  return (await statusView(c)).status;
}

export async function statusJson(c: Context<AppEnv>): Promise<Response> {
  return c.json(await publicStatus(c), 200, { "cache-control": "no-store", "x-stayopen-source": "edge" });
}

export async function statusHtml(c: Context<AppEnv>): Promise<Response> {
  const { status, forced } = await statusView(c);
  const reopensAt = forced?.until ?? null;
  return renderPage(c, <StatusPage config={c.get("shop").config} status={status} reopensAt={reopensAt} />, 200, {
    "x-stayopen-source": "edge",
  });
}
