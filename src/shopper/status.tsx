import type { Context } from "hono";
import type { Config, Shop } from "../config/schema";
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
import { IncidentHistory } from "./incidents";
import { Layout } from "./layout";
import { renderPage } from "./render";
import { When } from "./when";

/** The public status document; its shape is part of the contract. */
export type PublicStatus = {
  origin: "up" | "degraded" | "down";
  mode: "auto" | "maintenance";
  since: string;
  message: string | null;
  queuedOrders: number;
  /** The last STATUS_INCIDENTS incidents, newest first. */
  incidents: Incident[];
};

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

const WORDS: Record<PublicStatus["origin"], string> = {
  up: "Everything is working",
  degraded: "Some trouble reaching our shop system",
  down: "Our shop system is unreachable",
};

export function StatusPage({
  config,
  status,
  reopensAt = null,
}: {
  config: Config;
  status: PublicStatus;
  /** The end of forced maintenance, when the operator set one. */
  reopensAt?: number | null;
}) {
  const forced = status.mode === "maintenance";
  return (
    <Layout config={config} title="Shop status">
      <h1>Shop status</h1>
      <p>
        <span class={`state state-${forced ? "down" : status.origin}`}>
          {forced ? "Closed for maintenance" : WORDS[status.origin]}
        </span>
      </p>
      {status.message ? (
        <p class="notice" role="status">
          {status.message}
        </p>
      ) : null}
      <dl>
        <dt>Since</dt>
        <dd>
          <When at={status.since} />
        </dd>
        {reopensAt !== null ? (
          <>
            <dt>Planned to reopen</dt>
            <dd>
              <When at={reopensAt} />
            </dd>
          </>
        ) : null}
        <dt>Orders waiting to reach the shop</dt>
        <dd>{status.queuedOrders}</dd>
      </dl>
      {status.origin === "up" && !forced ? null : (
        <p>
          You can keep browsing and ordering: orders placed now are kept safe and passed on to the shop as soon as it is
          back.
        </p>
      )}
      <IncidentHistory incidents={status.incidents} />
      <p>
        <a href="/">Back to the shop</a>
      </p>
    </Layout>
  );
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
