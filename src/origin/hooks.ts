import type { Shop } from "../config/shop";
import type { Env } from "../config/env";

/**
 * What follows from an origin's health is not origin/'s business: draining the
 * order queue, telling subscribers, counting transitions and the incident
 * history all live in layers above it. src/index.ts registers them once, when
 * the worker module loads (before any request or Durable Object runs), so
 * origin/ imports none of them.
 */

export type WelcomeCause = "origin_recovered" | "backup_answered" | "maintenance_ended";

/** An outage beginning or ending, for the shop's incident history (kept in order per monitor). */
export type OutageEvent = { shopId: string; kind: "outage"; phase: "began" | "ended"; at: number; minS: number };
export type OutageReporter = (event: OutageEvent) => void;

export type OriginHooks = {
  /** The shop is open again (recovery/welcome-back). */
  welcomeBack(env: Env, shop: Shop, cause: WelcomeCause): Promise<void>;
  /** An origin that takes orders is back: its queue shards stop waiting out their backoff. */
  wakeOrderQueue(env: Env, shopId: string, shards: number): Promise<void>;
  /** A breaker changed state in an OriginMonitor. */
  breakerTransition(env: Env, shopId: string, labels: { to: string; origin: string }): Promise<void>;
  /** Records a monitor's outages in the incident history, in the order they happen. */
  outageReporter(ctx: DurableObjectState, env: Env): OutageReporter;
};

let hooks: OriginHooks | null = null;

/** @example registerOriginHooks({ welcomeBack, wakeOrderQueue, breakerTransition, outageReporter }) // in src/index.ts */
export function registerOriginHooks(registered: OriginHooks): void {
  hooks = registered;
}

export function originHooks(): OriginHooks {
  if (!hooks) throw new Error("origin hooks are not registered: src/index.ts registers them");
  return hooks;
}
