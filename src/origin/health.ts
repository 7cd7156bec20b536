import type { Shop } from "../config/shop";
import { log } from "../log";
import { SharedCopy } from "../shared-copy";
import {
  addOutcome,
  admits,
  applyOutcomes,
  healthLabel,
  initialBreaker,
  labelSince,
  mergeOutcomes,
  noOutcomes,
  type BreakerPolicy,
  type BreakerState,
  type Outcomes,
  isolatedPaths,
  unitePaths,
} from "./breaker";
import { slowStartShare, type SlowStart } from "./slow-start";

/** What the OriginMonitor tells isolates: the deployment-wide breaker and any slow start in progress. */
export type SharedHealth = { breaker: BreakerState; slowStart: SlowStart | null };

/** Sends this isolate's report to the monitor and answers the shared state. */
export type Exchange = (report: Outcomes) => Promise<SharedHealth>;

/**
 * This isolate's copy of one origin's shared health. Requests read and update
 * it in memory only; the exchange with the OriginMonitor happens in the
 * background, at most once per BREAKER_SYNC_MS, or at once when this isolate's
 * own failures open its copy.
 */
export class OriginHealth {
  readonly #copy: SharedCopy<SharedHealth>;
  #pending: Outcomes = noOutcomes;
  #urgent = false;

  constructor(
    readonly shopId: string,
    readonly originUrl: string,
    readonly policy: BreakerPolicy,
    now = Date.now(),
  ) {
    this.#copy = new SharedCopy<SharedHealth>({ breaker: initialBreaker(now), slowStart: null });
  }

  get state(): BreakerState {
    return this.#copy.value.breaker;
  }

  get slowStart(): SlowStart | null {
    return this.#copy.value.slowStart;
  }

  /** Whether a shopper request may go to the origin now; answered from memory. */
  admit(): boolean {
    return admits(this.state);
  }

  success(now = Date.now()): void {
    const state = this.state;
    // The healthy path: nothing to change in the copy, only a success to report.
    if (state.state === "closed" && state.failures === 0) this.#pending = addOutcome(this.#pending, null);
    else this.#record(null, now);
  }

  /** A failed request; `path` (no query) tells one URL's trouble from the shop's. */
  failure(reason: string, path: string, now = Date.now()): void {
    this.#record(reason, now, path);
  }

  /**
   * The monitor's verdict after a confirmation probe. Only a verdict that keeps
   * shoppers away is taken at once (they stop waiting now); anything else
   * arrives with the next exchange, which also carries this isolate's reports.
   */
  learn(shared: SharedHealth): void {
    if (admits(shared.breaker) || !this.admit()) return;
    this.#copy.value = {
      ...this.#copy.value,
      breaker: applyOutcomes(shared.breaker, this.#pending, Date.now(), this.policy),
    };
  }

  /** The share of catalog reads the origin should get now (below 1 only during slow start). */
  trafficShare(now = Date.now()): number {
    return admits(this.state) ? slowStartShare(this.slowStart, now) : 0;
  }

  get label() {
    return healthLabel(this.state);
  }

  get since(): number {
    return labelSince(this.state);
  }

  /** When the current outage began, or null while shoppers are being served by the origin. */
  get downSince(): number | null {
    return this.state.state === "closed" ? null : this.state.downSince;
  }

  /** A fresh copy, or one that keeps shoppers from the origin and has not been exchanged for a quiet spell. */
  lookFirst(now: number, intervalMs: number): boolean {
    return this.#copy.lookFirst(now, intervalMs, this.state.state !== "closed");
  }

  /** This isolate knows something the monitor should hear at once (a first failure, a breaker opened here). */
  get urgent(): boolean {
    return this.#urgent;
  }

  exchangeDue(now: number, intervalMs: number): boolean {
    return this.#copy.due(now, this.#urgent ? 0 : intervalMs);
  }

  /** Sends what this isolate saw since the last exchange and adopts the shared state. Never throws. */
  exchange(send: Exchange): Promise<void> {
    return this.#copy.refresh(
      async () => {
        const report = this.#pending;
        this.#pending = noOutcomes;
        this.#urgent = false;
        try {
          const shared = await send(report);
          // What happened here while the answer travelled still counts.
          const breaker = applyOutcomes(shared.breaker, this.#pending, Date.now(), this.policy);
          // Failures here keep shoppers away that the monitor has not heard of yet: it hears of them at once.
          if (!admits(breaker) && admits(shared.breaker)) this.#urgent = true;
          return { breaker, slowStart: shared.slowStart };
        } catch (error) {
          this.#pending = mergeOutcomes(report, this.#pending);
          throw error;
        }
      },
      (error) =>
        log("warn", "origin_monitor_unreachable", { shop: this.shopId, origin: this.originUrl, error: String(error) }),
    );
  }

  #record(failure: string | null, now: number, path?: string): void {
    // A URL the health probe found failing on its own: its failures are its own, and nobody needs telling.
    if (path !== undefined && isolatedPaths(this.state, now).includes(path)) return;
    const outcome = addOutcome(noOutcomes, failure, path);
    this.#pending = mergeOutcomes(this.#pending, outcome);
    const previous = this.state;
    const next = applyOutcomes(previous, outcome, now, this.policy);
    this.#copy.value = { ...this.#copy.value, breaker: next };
    // The first failure of a run goes to the monitor at once: it asks the health path whether the shop is down.
    if (failure !== null && previous.state === "closed" && previous.failures === 0) this.#urgent = true;
    if (previous.state === "closed" && next.state === "open") {
      // Shoppers here stop waiting now; the monitor hears about it right after this request.
      this.#urgent = true;
      log("warn", "breaker_opened", {
        scope: "isolate",
        shop: this.shopId,
        origin: this.originUrl,
        reason: next.lastError,
        paths: previous.state === "closed" ? unitePaths(previous.paths, outcome.trailingPaths) : undefined,
      });
    }
  }
}

/** shop id → origin URL → copy. */
const registry = new Map<string, Map<string, OriginHealth>>();
const policies = new WeakMap<Shop["config"], BreakerPolicy>();

const samePolicy = (a: BreakerPolicy, b: BreakerPolicy) =>
  a.failureThreshold === b.failureThreshold &&
  a.cooldownMs === b.cooldownMs &&
  a.healthyProbes === b.healthyProbes &&
  a.unhealthyProbes === b.unhealthyProbes &&
  a.minPaths === b.minPaths;

/** The config's breaker settings; one object per parsed config, so the hot path compares by identity. */
export function breakerPolicy(shop: Shop): BreakerPolicy {
  const config = shop.config;
  let policy = policies.get(config);
  if (!policy) {
    policy = {
      failureThreshold: config.breakerFailures,
      cooldownMs: config.breakerCooldownMs,
      healthyProbes: config.probe.healthyThreshold,
      unhealthyProbes: config.probe.unhealthyThreshold,
      minPaths: config.breakerMinPaths,
    };
    policies.set(config, policy);
  }
  return policy;
}

/** The health copy for one origin of one shop, created on first use and kept for the isolate's life. */
export function originHealth(shop: Shop, originUrl = shop.config.originUrl): OriginHealth {
  let origins = registry.get(shop.id);
  if (!origins) {
    origins = new Map();
    registry.set(shop.id, origins);
  }
  const policy = breakerPolicy(shop);
  let health = origins.get(originUrl);
  if (!health || (health.policy !== policy && !samePolicy(health.policy, policy))) {
    health = new OriginHealth(shop.id, originUrl, policy);
    origins.set(originUrl, health);
  }
  return health;
}

/** Every origin of a shop this isolate has talked to (primary, backups, feed hosts). */
export function knownOrigins(shopId: string): Iterable<OriginHealth> {
  return registry.get(shopId)?.values() ?? [];
}

/** Forgets every copy, as a freshly started isolate would; for tests that play a second isolate. */
export function forgetOriginHealth(): void {
  registry.clear();
}
