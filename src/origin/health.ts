import type { Shop } from "../config";
import { log } from "../log";
import { admit, healthLabel, initialBreaker, recordFailure, recordSuccess, type BreakerPolicy, type BreakerState } from "./breaker";

/**
 * This isolate's view of one origin's health: the breaker state in memory, so
 * the healthy path never waits on storage. Every transition is logged.
 */
export class OriginHealth {
  #state: BreakerState;

  constructor(
    readonly shopId: string,
    readonly originUrl: string,
    readonly policy: BreakerPolicy,
    now = Date.now(),
  ) {
    this.#state = initialBreaker(now);
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a request may go to the origin now; an open breaker answers at once. */
  admit(now = Date.now()): { admitted: boolean; probe: boolean } {
    const { admitted, probe, next } = admit(this.#state, now, this.policy);
    this.#transition(next, probe ? "probe" : undefined);
    return { admitted, probe };
  }

  success(now = Date.now()): void {
    this.#transition(recordSuccess(this.#state, now));
  }

  failure(reason: string, now = Date.now()): void {
    this.#transition(recordFailure(this.#state, now, this.policy, reason));
  }

  get label() {
    return healthLabel(this.#state);
  }

  #transition(next: BreakerState, cause?: string): void {
    const previous = this.#state;
    this.#state = next;
    if (previous.state === next.state) return;
    const event = next.state === "open" ? "breaker_opened" : next.state === "closed" ? "breaker_closed" : "breaker_half_open";
    log(next.state === "open" ? "warn" : "info", event, {
      shop: this.shopId,
      origin: this.originUrl,
      from: previous.state,
      reason: next.lastError,
      cause,
    });
  }
}

const registry = new Map<string, OriginHealth>();

/** The health tracker for one origin of one shop, created on first use and kept for the isolate's life. */
export function originHealth(shop: Shop, originUrl = shop.config.originUrl): OriginHealth {
  const key = `${shop.id} ${originUrl}`;
  let health = registry.get(key);
  const policy = { failureThreshold: shop.config.breakerFailures, cooldownMs: shop.config.breakerCooldownMs };
  if (!health || health.policy.failureThreshold !== policy.failureThreshold || health.policy.cooldownMs !== policy.cooldownMs) {
    health = new OriginHealth(shop.id, originUrl, policy);
    registry.set(key, health);
  }
  return health;
}
