import type { Env } from "../config/env";
import { shopRegistry, type StoredShop } from "../config/registry";
import { registeredShops, shopById, type RegisteredShop } from "../config/shops";
import { storedForced } from "../control/controls";
import type { Incident } from "../incidents/incident";
import { queueDepth } from "../orders/queue";
import type { PublicStatus } from "../shopper/status";
import { shopStatus } from "../status/shop-status";
import { iso } from "../time";

/**
 * Every shop as the platform operator sees it: each live shop, and each
 * deleted one whose orders are not all delivered or discarded yet (they stay
 * deliverable and actionable until then). Built from the same function as
 * each shop's own status.json.
 */
export type ShopOverview = {
  id: string;
  hosts: readonly string[];
  /** ISO time the shop was deleted, null while it is live. */
  deletedAt: string | null;
  status: PublicStatus;
  /** Dead letters and orders needing attention: waiting for an operator to retry or discard them. */
  ordersNeedingAttention: number;
};

/** The registry's records as stored (config as text, secret names), deleted shops included. */
export async function storedShops(env: Env): Promise<StoredShop[]> {
  return (await shopRegistry(env).snapshot()).shops;
}

async function overview(env: Env, shop: RegisteredShop): Promise<ShopOverview> {
  const [status, depth] = await Promise.all([shopStatus(env, shop, storedForced(env, shop.id)), queueDepth(env, shop)]);
  return {
    id: shop.id,
    hosts: shop.hosts,
    deletedAt: shop.deletedAt === null ? null : iso(shop.deletedAt),
    status,
    ordersNeedingAttention: depth.dead + depth.needs_attention,
  };
}

/** A deleted shop still holds orders an operator must see through: queued, being sent, dead or needing attention. */
async function stillHoldsOrders(env: Env, shop: RegisteredShop): Promise<boolean> {
  const depth = await queueDepth(env, shop);
  return depth.queued + depth.delivering + depth.dead + depth.needs_attention > 0;
}

/**
 * Shops on one page of the list. Each costs a few dozen Durable Object calls
 * (its monitors, switches, incidents and queue shards), and one request has a
 * subrequest budget: a platform of hundreds of shops is read a page at a time.
 */
export const PAGE_SIZE = 20;

/** One page of the platform's shops, and the id to continue after (null on the last page). */
export type OverviewPage = { shops: ShopOverview[]; next: string | null };

/**
 * The shops in id order after `after`: live ones, and deleted ones that still
 * hold orders, each flagged with `deletedAt` (a deleted shop without orders
 * is left out, so a page may show fewer than PAGE_SIZE). With no shop
 * registered, the one shop of the vars.
 */
export async function platformOverview(env: Env, after: string | null = null): Promise<OverviewPage> {
  const stored = await storedShops(env);
  if (stored.length === 0)
    return { shops: await Promise.all((await registeredShops(env)).map((shop) => overview(env, shop))), next: null };
  const ids = stored
    .map((shop) => shop.id)
    .filter((id) => after === null || id > after)
    .sort();
  const onPage = ids.slice(0, PAGE_SIZE);
  const rows = await Promise.all(
    onPage.map(async (id) => {
      const shop = await shopById(env, id);
      if (!shop || (shop.deletedAt !== null && !(await stillHoldsOrders(env, shop)))) return null;
      return overview(env, shop);
    }),
  );
  return {
    shops: rows.filter((row) => row !== null),
    next: ids.length > PAGE_SIZE ? onPage.at(-1)! : null,
  };
}

/** The newest incident of a shop's history, or null. */
export const lastIncident = (row: ShopOverview): Incident | null => row.status.incidents[0] ?? null;
