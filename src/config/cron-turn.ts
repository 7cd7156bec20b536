import type { Env } from "./env";
import { log } from "../log";
import { DEFAULT_SHOP_ID, shopRegistry } from "./registry";
import { liveShopIds, shopById, type RegisteredShop } from "./shops";

/**
 * The cron's turn through the shops. One run cannot reach hundreds of shops, so each run works for at
 * most a time budget and the next one starts where it stopped: the id of the last shop done is kept
 * in the registry object. Shops are taken in id order from the first after that cursor, wrapping round,
 * so every shop gets its turn and none is always last.
 */

/**
 * The live shops' ids in the order this run takes them: id order from the first after `cursor` (the
 * last shop the previous run did), wrapping round. A cursor whose shop is gone still marks the place.
 */
export function cronOrder(ids: readonly string[], cursor: string | null): string[] {
  // Sorted here as `>` compares, whatever order the list came in.
  const sorted = [...ids].sort();
  const start = cursor === null ? -1 : sorted.findIndex((id) => id > cursor);
  if (start <= 0) return sorted;
  return [...sorted.slice(start), ...sorted.slice(0, start)];
}

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Runs `work` for the shops this run takes: one after the other while the run is within `budgetMs`
 * (at least one shop, so every run moves the cursor), then saves where it stopped. Single-shop mode
 * runs its one shop. `work` deals with its own failures; a shop it throws for is logged and passed.
 * Throws only when the list of shops cannot be had (the registry did not answer).
 */
export async function takeCronTurn(
  env: Env,
  work: (shop: RegisteredShop) => Promise<void>,
  options: { budgetMs: number; waitUntil?: WaitUntil },
): Promise<void> {
  const ids = await liveShopIds(env, options.waitUntil);
  if (ids === null) {
    await workOn(env, DEFAULT_SHOP_ID, work);
    return;
  }
  const registry = shopRegistry(env);
  const cursor = await registry.cronCursor().catch((error: unknown) => {
    log("warn", "cron_cursor_unknown", { error: String(error) });
    return null;
  });
  const order = cronOrder(ids, cursor);
  const startedAt = Date.now();
  let done = 0;
  for (const id of order) {
    if (done > 0 && Date.now() - startedAt >= options.budgetMs) break;
    await workOn(env, id, work);
    done++;
  }
  const last = done > 0 ? order[done - 1]! : null;
  log("info", "cron_turn", {
    shops: ids.length,
    done,
    from: order[0] ?? null,
    last,
    // Where the next run starts; null when this run reached every shop.
    next: done < order.length ? order[done]! : null,
    ms: Date.now() - startedAt,
  });
  if (last === null) return;
  try {
    await registry.moveCronCursor(last);
  } catch (error) {
    // The next run then starts where this one did: the same shops again, none skipped.
    log("warn", "cron_cursor_not_saved", { last, error: String(error) });
  }
}

async function workOn(env: Env, id: string, work: (shop: RegisteredShop) => Promise<void>): Promise<void> {
  try {
    const shop = await shopById(env, id);
    if (shop) await work(shop);
  } catch (error) {
    log("error", "cron_shop_failed", { shop: id, error: String(error) });
  }
}
