import type { Context, MiddlewareHandler } from "hono";
import { requestIsShareable } from "../catalog/shareable";
import { snapshotResponse } from "../catalog/snapshot-response";
import type { AppEnv } from "../env";
import { hasUsableBackup } from "./failover";
import { originHealth } from "./health";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by shedDuringSlowStart() when this catalog read is part of the share the recovering primary does not get yet. */
    shedFromPrimary: boolean;
  }
}

/** Whether slow start shed this request: the catalog then asks the backups before the primary. */
export const shedFromPrimary = (c: Context<AppEnv>): boolean => c.get("shedFromPrimary") ?? false;

/**
 * Sheds part of the public catalog reads while the origin ramps back: to a
 * healthy backup origin when there is one (live pages, the primary still
 * last in line), else to their snapshots. A page without a snapshot, and
 * anyone logged in, still goes to the origin: slow start never causes a 503.
 *
 * @example app.use(shedDuringSlowStart())
 */
export function shedDuringSlowStart(): MiddlewareHandler<AppEnv> {
  return async function shedToBackupsOrSnapshots(c, next) {
    const shop = c.get("shop");
    const share = originHealth(shop).trafficShare();
    if (
      share > 0 &&
      share < 1 &&
      Math.random() >= share &&
      requestIsShareable(c.req.raw, shop.config.sessionCookies).shareable
    ) {
      if (hasUsableBackup(shop)) {
        c.set("shedFromPrimary", true);
      } else {
        const stale = await snapshotResponse(c);
        if (stale) return stale;
      }
    }
    await next();
  };
}
