import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { forcedNow } from "../control/controls";
import type { ForcedMaintenance } from "../control/maintenance";
import { renderPage } from "../shopper/render";
import { StatusPage, type PublicStatus } from "../shopper/status";
import { shopStatus } from "../status/shop-status";

/**
 * `GET /__stayopen/status.json` and `/__stayopen/status`: the shared state
 * gathered by status/shop-status, rendered by shopper/status as the contract's JSON or a page.
 */

/**
 * The request's shop, with the switches refreshed when older than
 * BREAKER_SYNC_MS and the maintenance in force, whose end the page (not the
 * contract's JSON) shows.
 */
async function statusView(c: Context<AppEnv>): Promise<{ status: PublicStatus; forced: ForcedMaintenance | null }> {
  const forced = forcedNow(c, { fresh: true });
  return { status: await shopStatus(c.env, c.get("shop"), forced), forced: await forced };
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
