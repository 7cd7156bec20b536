import type { Context, MiddlewareHandler } from "hono";
import { requestIsShareable } from "./shareable";
import { snapshotResponse } from "./snapshot-response";
import type { AppEnv } from "../config/env";
import { hasUsableBackup } from "../origin/failover";
import { originHealth } from "../origin/health";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by shedDuringSlowStart() when this catalog read is part of the share the recovering primary does not get yet. */
    shedFromPrimary: boolean;
  }
}

/** Whether slow start shed this request: the catalog then asks the backups before the primary. */
export const shedFromPrimary = (c: Context<AppEnv>): boolean => c.get("shedFromPrimary") ?? false;

/** Per shop: public catalog reads of this isolate on their way to the primary during slow start. */
const rampingInFlight = new Map<string, number>();

/**
 * Sheds part of the public catalog reads while the origin ramps back: to a
 * healthy backup origin when there is one (live pages, the primary still
 * last in line), else to their snapshots. Only a crowd is shed: a read while
 * no other one of this isolate is on its way to the origin always goes
 * there, since a lone request cannot flatten anything and the contract sends
 * a request to a usable origin. A page without a snapshot, and anyone logged
 * in, still goes to the origin: slow start never causes a 503.
 *
 * @example app.use(shedDuringSlowStart())
 */
export function shedDuringSlowStart(): MiddlewareHandler<AppEnv> {
  return async function shedToBackupsOrSnapshots(c, next) {
    const shop = c.get("shop");
    const share = originHealth(shop).trafficShare();
    if (share <= 0 || share >= 1 || !requestIsShareable(c.req.raw, shop.config).shareable) return next();
    if ((rampingInFlight.get(shop.id) ?? 0) > 0 && Math.random() >= share) {
      if (hasUsableBackup(shop)) {
        c.set("shedFromPrimary", true);
        return next();
      }
      const stale = await snapshotResponse(c, { lastResort: false });
      if (stale) return stale;
    }
    rampingInFlight.set(shop.id, (rampingInFlight.get(shop.id) ?? 0) + 1);
    try {
      await next();
    } finally {
      rampingInFlight.set(shop.id, rampingInFlight.get(shop.id)! - 1);
    }
  };
}
