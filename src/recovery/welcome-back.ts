import type { Shop } from "../config/shop";
import { shopControl } from "../control/controls";
import { activeMaintenance } from "../control/maintenance";
import type { Env } from "../config/env";
import { log } from "../log";
import { announceRecovery } from "./announce";
import { orderOrigins } from "../origin/failover";
import type { WelcomeCause } from "../origin/hooks";
import { probeOrigin } from "../origin/probe";
import { originMonitor } from "../origin/monitor";
import { drainNow } from "../orders/queue";

/**
 * The shop is open again: queued orders go to the origin now rather than after
 * their backoff, and the shop is handed who to tell (subscribers, orders that
 * need a payment link). A failure here only loses the head start; both have
 * their own retries.
 */
export async function welcomeBack(env: Env, shop: Shop, cause: WelcomeCause): Promise<void> {
  log("info", "order_drain_started", { shop: shop.id, cause });
  const steps = await Promise.allSettled([drainNow(env, shop), announceIfOpen(env, shop, cause)]);
  for (const [step, result] of [
    ["drain", steps[0]],
    ["announce", steps[1]],
  ] as const) {
    if (result.status === "rejected")
      log("warn", "welcome_back_failed", { shop: shop.id, cause, step, error: String(result.reason) });
  }
}

/**
 * Subscribers hear "we're back" once, so only when it is true: no maintenance
 * is forced and an origin that takes orders takes traffic (maintenance can end
 * while the origin is still down; an origin can recover during maintenance).
 * Otherwise the next welcome back announces.
 */
async function announceIfOpen(env: Env, shop: Shop, cause: WelcomeCause): Promise<void> {
  const origins = orderOrigins(shop);
  const [controls, ...accepting] = await Promise.all([
    shopControl(env, shop.id).read(),
    ...origins.map((originUrl) => originMonitor(env, shop.id, originUrl).acceptsTraffic()),
  ]);
  let open = accepting.includes(true);
  // During maintenance no shopper reached the origins, only the monitors' slow idle probes: ask them now.
  if (open && cause === "maintenance_ended") {
    const { healthPath, probe } = shop.config;
    const probes = origins.filter((_, i) => accepting[i]).map((url) => probeOrigin(url, healthPath, probe));
    open = (await Promise.all(probes)).some((report) => report.ok);
  }
  const reason = activeMaintenance(controls.maintenance, Date.now()) ? "maintenance" : open ? null : "origin_down";
  if (reason) {
    log("info", "recovery_announcement_deferred", { shop: shop.id, cause, reason });
    return;
  }
  await announceRecovery(env, shop);
}
