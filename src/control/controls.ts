import type { Context } from "hono";
import type { AppEnv, Env } from "../config/env";
import { log } from "../log";
import { originHooks } from "../origin/hooks";
import { awaitFirstLook, SharedCopy } from "../shared-copy";
import { activeMaintenance, type ForcedMaintenance } from "./maintenance";
import type { ControlState } from "./shop-control";

/**
 * This isolate's copy of each shop's operator switches, refreshed like the
 * breaker copies: in the background, at most once per BREAKER_SYNC_MS. A
 * scheduled window needs no refresh to start or end: the copy holds its times.
 */

const controlName = (shopId: string) => `${shopId}:control`;

export function shopControl(env: Env, shopId: string) {
  return env.SHOP_CONTROL.get(env.SHOP_CONTROL.idFromName(controlName(shopId)));
}

const copies = new Map<string, SharedCopy<ControlState>>();

function copyFor(shopId: string): SharedCopy<ControlState> {
  let copy = copies.get(shopId);
  if (!copy) {
    copy = new SharedCopy<ControlState>({ maintenance: null });
    copies.set(shopId, copy);
  }
  return copy;
}

function refresh(env: Env, shopId: string, copy: SharedCopy<ControlState>): Promise<void> {
  return copy.refresh(
    () => shopControl(env, shopId).read(),
    (error) => log("warn", "shop_control_unreachable", { shop: shopId, error: String(error) }),
  );
}

/**
 * The shop's switches as this isolate knows them. Requests never wait, except
 * (at most FIRST_LOOK_MS) the first of a fresh isolate and the first after a
 * quiet spell while the copy holds a maintenance window; `fresh` callers
 * (status pages) wait for a refresh when the copy is older than BREAKER_SYNC_MS.
 */
export async function currentControls(c: Context<AppEnv>, options: { fresh?: boolean } = {}): Promise<ControlState> {
  const shop = c.get("shop");
  const copy = copyFor(shop.id);
  if (copy.lookFirst(Date.now(), shop.config.breakerSyncMs, copy.value.maintenance !== null)) {
    await awaitFirstLook(c.executionCtx, refresh(c.env, shop.id, copy));
  } else if (copy.due(Date.now(), shop.config.breakerSyncMs)) {
    const update = refresh(c.env, shop.id, copy);
    if (options.fresh) await update;
    else c.executionCtx.waitUntil(update);
  }
  return copy.value;
}

/** The maintenance in force now, as this isolate knows the switches (see currentControls), or null. */
export async function forcedNow(
  c: Context<AppEnv>,
  options: { fresh?: boolean } = {},
): Promise<ForcedMaintenance | null> {
  return activeMaintenance((await currentControls(c, options)).maintenance, Date.now());
}

/**
 * The maintenance in force now for any shop, read from its ShopControl rather
 * than this isolate's copy: for the platform's view of every shop.
 */
export async function storedForced(env: Env, shopId: string): Promise<ForcedMaintenance | null> {
  return activeMaintenance((await shopControl(env, shopId).read()).maintenance, Date.now());
}

/** An operator's change takes effect in this isolate at once; the others see it within BREAKER_SYNC_MS. */
export function rememberControls(shopId: string, state: ControlState): void {
  copyFor(shopId).value = state;
}

/** Forgets every copy, as a freshly started isolate would; for tests that play a second isolate. */
export function forgetControls(): void {
  copies.clear();
}

/**
 * A maintenance window ended by itself (ShopControl's alarm): the first
 * isolate to learn of it claims the welcome and, in the background, sends the
 * held orders and the "we're back" hand-over, as when an operator ends it.
 */
export function welcomeAfterWindow(c: Context<AppEnv>): void {
  const shop = c.get("shop");
  const copy = copyFor(shop.id);
  if (!copy.value.welcomeDue) return;
  // Asked once per refresh of this isolate's copy, not once per request.
  copy.value = { ...copy.value, welcomeDue: false };
  c.executionCtx.waitUntil(
    shopControl(c.env, shop.id)
      .claimWelcome()
      .then((claimed) => (claimed ? originHooks().welcomeBack(c.env, shop, "maintenance_ended") : undefined))
      .catch((error: unknown) => log("warn", "welcome_claim_failed", { shop: shop.id, error: String(error) })),
  );
}
