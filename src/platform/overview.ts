import type { Env } from "../config/env";
import { REGISTRY_NAME, type StoredShop } from "../config/registry";
import { registeredShops, shopById, type RegisteredShop } from "../config/shops";
import { storedForced } from "../control/controls";
import type { Incident } from "../incidents/incident";
import { queueDepth } from "../orders/queue";
import { shopStatus, type PublicStatus } from "../shopper/status";
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
  return (await env.SHOP_REGISTRY.getByName(REGISTRY_NAME).snapshot()).shops;
}

/** Shops' statuses are read this many at a time: each is a few Durable Object calls. */
const AT_ONCE = 16;

async function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += AT_ONCE)
    results.push(...(await Promise.all(items.slice(start, start + AT_ONCE).map(work))));
  return results;
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
 * The live shops (single-shop mode: the one shop of the vars), then the
 * deleted shops that still hold orders, each flagged with `deletedAt`.
 */
export async function platformOverview(env: Env): Promise<ShopOverview[]> {
  const live = await registeredShops(env);
  const deletedIds = (await storedShops(env)).filter((stored) => stored.deletedAt !== null).map((stored) => stored.id);
  const deleted = (await inBatches(deletedIds, (id) => shopById(env, id))).filter((shop) => shop !== undefined);
  const holding = await inBatches(deleted, async (shop) => ((await stillHoldsOrders(env, shop)) ? shop : null));
  return inBatches([...live, ...holding.filter((shop) => shop !== null)], (shop) => overview(env, shop));
}

/** The newest incident of a shop's history, or null. */
export const lastIncident = (row: ShopOverview): Incident | null => row.status.incidents[0] ?? null;
