import { z } from "zod";
import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { log } from "../log";
import type { StockLevel } from "./reservations";

/** One object per shop and SKU: reservations of different products never wait on each other. */
export function stockObject(env: Env, shop: Shop, sku: string) {
  return env.STOCK.getByName(JSON.stringify([shop.id, sku]));
}

export type StockLine = { sku: string; qty: number } & StockLevel;
export type LinesReserved = { ok: true } | { ok: false; sku: string; available: number };

/** Units of `sku` still for sale (null: not tracked). */
export function availableStock(env: Env, shop: Shop, sku: string, level: StockLevel): Promise<number | null> {
  return stockObject(env, shop, sku).available(level);
}

/**
 * Reserves every line under one id, or none: when a later line would
 * oversell, the lines already held are released again.
 */
export async function reserveLines(env: Env, shop: Shop, id: string, lines: StockLine[]): Promise<LinesReserved> {
  const held: string[] = [];
  for (const { sku, qty, stock, stockAsOf } of lines) {
    const outcome = await stockObject(env, shop, sku).reserve({ id, qty, stock, stockAsOf });
    if (!outcome.ok) {
      await Promise.all(held.map((heldSku) => stockObject(env, shop, heldSku).release(id)));
      return { ok: false, sku, available: outcome.available };
    }
    held.push(sku);
  }
  return { ok: true };
}

export async function confirmLines(env: Env, shop: Shop, id: string, reference: string, skus: string[]): Promise<void> {
  await Promise.all(skus.map((sku) => stockObject(env, shop, sku).confirm(id, reference)));
}

export async function releaseLines(env: Env, shop: Shop, id: string, skus: string[]): Promise<void> {
  await Promise.all(skus.map((sku) => stockObject(env, shop, sku).release(id)));
}

/** What an edge order carries in its queue `meta` so the queue can settle its reservations later. */
const metaSchema = z.object({ stock: z.object({ reservation: z.string().min(1), skus: z.array(z.string()).min(1) }) });
export type ReservationMeta = z.output<typeof metaSchema>;

export function reservationMeta(id: string, skus: string[]): ReservationMeta {
  return { stock: { reservation: id, skus } };
}

/** What became of an order; `requeued` is a dead letter an operator sent back to the queue. */
export type OrderOutcome = "delivered" | "dead" | "discarded" | "requeued";

/**
 * The order queue's hook: call it when an order is delivered, dead-lettered,
 * discarded or requeued, with the `meta` it was queued with. Orders without
 * reservations (those from ORDER_PATHS) are ignored. Never throws: a
 * reservation that cannot be settled only holds stock back, it never oversells.
 */
export async function settleOrderStock(
  env: Env,
  shop: Shop,
  meta: unknown,
  outcome: OrderOutcome,
  at = Date.now(),
): Promise<void> {
  const parsed = metaSchema.safeParse(meta);
  if (!parsed.success) return;
  const { reservation, skus } = parsed.data.stock;
  try {
    await Promise.all(
      skus.map((sku) => {
        const stock = stockObject(env, shop, sku);
        if (outcome === "delivered") return stock.delivered(reservation, at);
        // A requeued order counts again, so its units are not sold twice while it waits.
        if (outcome === "requeued") return stock.reclaim(reservation);
        return stock.release(reservation, at);
      }),
    );
  } catch (error) {
    log("error", "stock_settle_failed", { shop: shop.id, reservation, outcome, error: String(error) });
  }
}
