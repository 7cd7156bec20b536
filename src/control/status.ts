import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { iso } from "../time";
import { originMonitor } from "../origin/monitor";
import { rememberControls, shopControl } from "./controls";
import { activeMaintenance } from "./maintenance";
import type { ControlState } from "./shop-control";

/** The operator's switches as the admin API shows them. */
export function describeControls(state: ControlState, now: number) {
  const maintenance = state.maintenance;
  const active = activeMaintenance(maintenance, now) !== null;
  return {
    mode: active ? ("maintenance" as const) : ("auto" as const),
    maintenance: maintenance && {
      active,
      message: maintenance.message,
      from: iso(maintenance.from),
      until: iso(maintenance.until),
      setAt: iso(maintenance.setAt),
    },
  };
}

/**
 * `GET /__stayopen/admin/status`: each origin as its monitor sees it (breaker,
 * probes, slow start, history), and the mode, read from the Durable Objects
 * themselves rather than this isolate's copies.
 */
export async function operatorStatus(c: Context<AppEnv>) {
  const shop = c.get("shop");
  const describe = (url: string) => originMonitor(c.env, shop.id, url).describe();
  const [origin, backups, controls] = await Promise.all([
    describe(shop.config.originUrl),
    Promise.all(
      shop.config.backupOrigins.map(async (backup) => ({
        url: backup.url,
        orders: backup.orders,
        ...(await describe(backup.url)),
      })),
    ),
    shopControl(c.env, shop.id).read(),
  ]);
  rememberControls(shop.id, controls);
  return { origin: { url: shop.config.originUrl, ...origin }, backups, ...describeControls(controls, Date.now()) };
}
