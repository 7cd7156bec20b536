import type { MiddlewareHandler } from "hono";
import { requestIsShareable } from "../catalog/shareable";
import { snapshotResponse } from "../catalog/snapshot-response";
import type { AppEnv } from "../env";
import { originHealth } from "./health";

/**
 * Sheds part of the public catalog reads to their snapshots while the origin
 * ramps back. A page without a snapshot, and anyone logged in, still goes to
 * the origin: slow start never causes a 503.
 *
 * @example app.use(shedDuringSlowStart())
 */
export function shedDuringSlowStart(): MiddlewareHandler<AppEnv> {
  return async function shedToSnapshots(c, next) {
    const shop = c.var.shop;
    const share = originHealth(shop).trafficShare();
    if (
      share > 0 &&
      share < 1 &&
      Math.random() >= share &&
      requestIsShareable(c.req.raw, shop.config.sessionCookies).shareable
    ) {
      const stale = await snapshotResponse(c);
      if (stale) return stale;
    }
    await next();
  };
}
