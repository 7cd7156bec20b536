import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { shopControl } from "../control/controls";
import { activeMaintenance } from "../control/maintenance";
import { log } from "../log";
import { originMonitor } from "../origin/monitor";
import type { BackoffPolicy } from "../http/backoff";
import { bodyKind } from "../http/body";
import { OrderStore, type Claimed } from "./order-store";
import { deliver, type Delivery } from "./replay";
import {
  backoffPolicy,
  blameOrders,
  HELD_RECHECK_MS,
  MAX_BATCHES_PER_RUN,
  nextBatch,
  nextWake,
  operatorMove,
  paceAfterBatch,
  retryStep,
  RETENTION_MS,
  RUN_BUDGET_MS,
} from "./replay-policy";
import { openSession, sealSession, sessionKey } from "./session";
import type { DeliverySettings, EnqueueResult, OrderAction, OrderState, ShardOrder, ShardOrderView } from "./types";
import { deliveryVerdict, type DeliveryVerdict } from "./verdict";
import { shopById } from "../config/shops";
import { count, flushMetrics } from "../metrics/counters";
import { settleOrderStock, type OrderOutcome } from "../stock/reserve";

type Finished = { meta: string | null; outcome: OrderOutcome };

/**
 * One shard of one shop's order queue (SQLite). Orders are stored before the
 * RPC that brought them resolves, and replayed to the origin by the alarm:
 *
 * - FIFO: each batch is the oldest queued orders (by sequence) that may go now;
 *   an order whose attempt failed waits out its own backoff (or the origin's
 *   Retry-After) and does not hold back the orders behind it.
 * - Pace: 1 replay in flight after a failure, doubling per good batch up to
 *   ORDER_REPLAY_CONCURRENCY. One order failing is that order's trouble: the
 *   shard goes on with the next. Only when DOWN_STREAK different orders fail
 *   in a row without any answer from the origin in between does the shard
 *   pause for a backoff, so a down origin sees one probe per shard per
 *   backoff, not the backlog, and a poison order never stops the others.
 * - Caps: a retryable failure counts against ORDER_MAX_ATTEMPTS only while the
 *   origin seems up (it answered other orders in the same batch, or its
 *   breaker admits traffic and no other order fails), so an outage never uses
 *   up the orders' attempts. At the cap, or ORDER_MAX_RETRY_HOURS after it
 *   was queued, an order becomes `needs_attention` with its last answer kept,
 *   until an operator retries or discards it.
 * - Sessions: the shopper's session cookies are kept sealed (src/orders/session.ts)
 *   and dropped once the order is delivered or discarded.
 * - Crash safety: an order is marked `delivering` with a lease before it is
 *   sent; an alarm that finds an expired lease sends it again with the same
 *   Idempotency-Key. Alarm runs never overlap and always re-arm while work is left.
 */
export class OrderQueue extends DurableObject<Env> {
  #store: OrderStore;
  #running: Promise<void> | null = null;
  #sessionKey: Promise<CryptoKey> | null = null;
  /** The alarm this object set (null: none), so an enqueue need not read it back; undefined once it may have fired. */
  #alarmAt: number | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new OrderStore(ctx.storage.sql);
    // An object that restarts with work but without an alarm (its alarm retries ran out) schedules one.
    void ctx.blockConcurrencyWhile(() => this.#arm());
  }

  /** Stores a new order, or finds the one it duplicates. Durable when this resolves. */
  async enqueue(order: ShardOrder, settings: DeliverySettings): Promise<EnqueueResult> {
    // Sealed first: the duplicate check and the insert below then run as one step, with nothing awaited between.
    const session =
      order.session === null ? null : await sealSession(await this.#key(settings.shop), order.reference, order.session);
    const now = Date.now();
    this.#store.keepSettings(settings);
    const since = order.dedupeWindowMs === null ? Number.MIN_SAFE_INTEGER : now - order.dedupeWindowMs;
    const known = this.#known(order, since);
    if (known) return known;

    // The origin has just failed: the first attempt waits one backoff base.
    const firstAttempt = now + settings.retryBaseMs;
    this.#store.insert(order, session, now, firstAttempt);
    log("info", "order_queued", {
      shop: settings.shop,
      reference: order.reference,
      method: order.method,
      path: order.path,
      session: session !== null,
    });
    await this.#wakeBy(Math.max(firstAttempt, this.#store.pace().pausedUntil));
    return { outcome: "created", reference: order.reference };
  }

  /**
   * The Idempotency-Key for a browser's keyless form submission sent to a
   * healthy origin: the key the same submission got within `windowMs`, else
   * `proposed`, remembered from now on. A double click is then one key even
   * across a minute boundary, and the same basket bought later is a new one.
   */
  submissionKey(dedupeKey: string, proposed: string, windowMs: number): string {
    return this.#store.submissionKey(dedupeKey, proposed, windowMs, Date.now());
  }

  /**
   * Whether this shard holds (or held) an order under the request's dedupe
   * key, without queueing anything: the same request again (`existing`), or
   * another one under the same key (`conflict`); null when the key is new here.
   */
  known(order: Pick<ShardOrder, "dedupeKey" | "fingerprint" | "contentType">): EnqueueResult | null {
    return this.#known(order, Number.MIN_SAFE_INTEGER);
  }

  #known(order: Pick<ShardOrder, "dedupeKey" | "fingerprint" | "contentType">, since: number): EnqueueResult | null {
    const known = this.#store.latest(order.dedupeKey, since);
    if (!known) return null;
    // The same bytes sent as JSON and as a form are two different requests.
    return known.fingerprint === order.fingerprint && bodyKind(known.content_type) === bodyKind(order.contentType)
      ? { outcome: "existing", reference: known.reference }
      : { outcome: "conflict" };
  }

  async find(reference: string): Promise<ShardOrderView | null> {
    return this.#store.find(reference);
  }

  /** Newest first; orders waiting for an operator come with their body so they can act on them. */
  async list(state: OrderState, limit: number): Promise<ShardOrderView[]> {
    return this.#store.list(state, limit);
  }

  async depth(): Promise<Record<OrderState, number>> {
    return this.#store.depth();
  }

  /**
   * Replays now: the origin is back (or an operator says so), so backoffs and
   * the pause are lifted. Without settings, with the ones the shard keeps.
   */
  async drain(settings?: DeliverySettings): Promise<void> {
    const now = Date.now();
    if (settings) this.#store.keepSettings(settings);
    this.#store.dueNow(now);
    await this.#arm();
  }

  /**
   * An operator sends an order not yet delivered (dead, needing attention, or
   * still waiting out a backoff) now, with a fresh count of attempts.
   */
  async retry(reference: string): Promise<OrderAction> {
    const now = Date.now();
    const action = operatorMove(this.#store.stateOf(reference));
    if (action.outcome !== "moved") return action;
    this.#store.requeue(reference, now);
    const settings = this.#store.settings();
    log("info", "order_requeued", { shop: settings?.shop, reference, from: action.from, reason: "operator_retry" });
    if (settings) count(this.env, settings.shop, "order_transitions", { to: "queued", cause: "operator" });
    // A waiting order still holds its stock; one that had stopped gets it back.
    if (action.from !== "queued")
      await this.#settleStock(settings, [{ meta: this.#store.metaOf(reference), outcome: "requeued" }]);
    await this.#arm();
    return { outcome: "done", state: "queued" };
  }

  /** An order the operator has dealt with elsewhere (or refuses): never sent again; its session is dropped. */
  async discard(reference: string): Promise<OrderAction> {
    const now = Date.now();
    const action = operatorMove(this.#store.stateOf(reference));
    if (action.outcome !== "moved") return action;
    this.#store.discard(reference, now);
    const settings = this.#store.settings();
    log("info", "order_discarded", { shop: settings?.shop, reference, from: action.from });
    if (settings) count(this.env, settings.shop, "order_transitions", { to: "discarded", cause: "operator" });
    await this.#settleStock(settings, [{ meta: this.#store.metaOf(reference), outcome: "discarded" }]);
    await this.#arm();
    return { outcome: "done", state: "discarded" };
  }

  override async alarm(): Promise<void> {
    // The alarm that fired is gone; a retried one is set again by the runtime: read it back next time.
    this.#alarmAt = undefined;
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    await this.#running;
  }

  async #run(): Promise<void> {
    const settings = this.#store.settings();
    if (!settings) return;
    const shop = await this.#shop(settings.shop);
    const secret = shop.config.replaySecret;
    const policy = backoffPolicy(settings);
    const startedAt = Date.now();
    this.#requeueLostDeliveries(startedAt, settings);
    this.#store.deleteFinished(startedAt - RETENTION_MS);

    const heldUntil = await this.#maintenanceHold(settings.shop, startedAt, policy);
    if (heldUntil !== null) {
      await this.#wakeBy(heldUntil);
      return;
    }
    // The shop has a REPLAY_SECRET that this deployment cannot open (PLATFORM_TOKEN rotated, the shop not
    // PUT again yet): its origin may refuse unsigned orders, and a signed-only promise must hold. They wait.
    if (shop.unopenedSecrets.includes("REPLAY_SECRET")) {
      if (this.#store.hasWork()) {
        log("warn", "order_replay_held", { shop: settings.shop, reason: "replay_secret_unreadable" });
        await this.#wakeBy(startedAt + HELD_RECHECK_MS);
      }
      return;
    }

    const originUrl = await this.#deliveryOrigin(settings);
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && Date.now() - startedAt < RUN_BUDGET_MS; batch++) {
      const now = Date.now();
      const next = nextBatch(this.#store.pace(), settings, now);
      if (next === null) break;
      const claimed = this.#store.claim(next.limit, now, next.leaseUntil);
      if (claimed.length === 0) break;
      const sending = await Promise.all(claimed.map((order) => this.#withSession(order, settings)));
      const outcomes = await Promise.all(
        sending.map((order) => deliver(order, originUrl, settings.originTimeoutMs, secret)),
      );
      const settledAt = Date.now();
      const verdicts = outcomes.map((outcome) => deliveryVerdict(outcome, settledAt));
      const streak = this.#pace(claimed, verdicts, settledAt, settings, policy);
      // Whether these failures are the orders' own: the origin answered others, or it seems up and nothing else fails.
      const blame = blameOrders(verdicts, streak);
      const originUp = blame === "ask" ? await this.#admits(settings.shop, originUrl) : blame;
      const finished = claimed
        .map((order, i) => this.#settle(order, verdicts[i]!, settledAt, settings, policy, originUp))
        .filter((outcome) => outcome !== null);
      await this.#settleStock(settings, finished);
    }
    // A shard that has caught up starts its next backlog with one replay in flight again.
    if (!this.#store.hasWork()) this.#store.restartRamp();
    // This run's counts go out now (the object may be evicted before another run), and before re-arming,
    // so that the run ends as soon as its next alarm is set.
    await flushMetrics(this.env);
    await this.#arm();
  }

  /**
   * While the operator forces maintenance the shop is closed on purpose: orders
   * wait. Returns when to look again (the window's end, else after the longest
   * backoff; switching maintenance off drains at once). An unreachable switch
   * never holds orders back.
   */
  async #maintenanceHold(shopId: string, now: number, policy: BackoffPolicy): Promise<number | null> {
    let forced;
    try {
      forced = activeMaintenance((await shopControl(this.env, shopId).read()).maintenance, now);
    } catch (error) {
      log("warn", "order_replay_maintenance_unknown", { shop: shopId, error: String(error) });
      return null;
    }
    if (!forced) return null;
    log("info", "order_replay_held", { shop: shopId, reason: "forced_maintenance", until: forced.until });
    return forced.until ?? now + policy.maxMs;
  }

  /**
   * Where this run's replays go: the primary, unless its shared breaker keeps
   * shoppers away and a backup that takes orders is healthy (it shares the
   * primary's order store, so the Idempotency-Key still makes a second
   * delivery harmless). When in doubt, the primary: its failures pace the retries.
   */
  async #deliveryOrigin(settings: DeliverySettings): Promise<string> {
    // Settings saved by an older version have no backups.
    const backups = settings.orderBackups ?? [];
    if (backups.length === 0) return settings.originUrl;
    try {
      for (const url of [settings.originUrl, ...backups]) {
        if (await originMonitor(this.env, settings.shop, url).acceptsTraffic()) {
          if (url !== settings.originUrl) log("info", "order_replay_to_backup", { shop: settings.shop, origin: url });
          return url;
        }
      }
    } catch (error) {
      log("warn", "order_replay_origin_unknown", { shop: settings.shop, error: String(error) });
    }
    return settings.originUrl;
  }

  /** The claimed order as it is sent: its session opened; one that cannot be opened goes as a guest order. */
  async #withSession(order: Claimed, settings: DeliverySettings): Promise<Delivery> {
    if (order.sealedSession === null) return { ...order, session: null };
    const session = await openSession(await this.#key(settings.shop), order.reference, order.sealedSession);
    // Never the value: only that the shopper's session could not be carried.
    if (session === null) log("warn", "order_session_unreadable", { shop: settings.shop, reference: order.reference });
    return { ...order, session };
  }

  /** Records one attempt's verdict; returns the order's final outcome when it has one. */
  #settle(
    order: Claimed,
    verdict: DeliveryVerdict,
    now: number,
    settings: DeliverySettings,
    policy: BackoffPolicy,
    originUp: boolean,
  ): Finished | null {
    const fields = { shop: settings.shop, reference: order.reference, attempts: order.attempts };
    count(this.env, settings.shop, "replay_outcomes", { outcome: verdict.kind });
    switch (verdict.kind) {
      case "delivered":
        this.#store.markDelivered(order.seq, now);
        log("info", "order_delivered", fields);
        return { meta: order.meta, outcome: "delivered" };
      case "dead":
        this.#store.markDead(order.seq, verdict, now);
        log("warn", "order_dead_lettered", { ...fields, error: verdict.error });
        return { meta: order.meta, outcome: "dead" };
      case "retry": {
        const step = retryStep(order, verdict, now, settings, policy, originUp);
        this.#store.markRetry(order.seq, verdict, step, now);
        const { strikes, cause, delayMs } = step;
        if (cause === null) {
          log("info", "order_retry_scheduled", { ...fields, strikes, error: verdict.error, delayMs });
          return null;
        }
        count(this.env, settings.shop, "order_transitions", { to: "needs_attention", cause });
        log("warn", "order_needs_attention", {
          ...fields,
          strikes,
          cause,
          error: verdict.error,
          status: verdict.answer?.status ?? null,
        });
        // Like a dead letter, it stops here until an operator retries it.
        return { meta: order.meta, outcome: "dead" };
      }
    }
  }

  /** Paces the shard after a batch (src/orders/replay-policy.ts); returns how many different orders have failed in a row. */
  #pace(
    claimed: Claimed[],
    verdicts: DeliveryVerdict[],
    now: number,
    settings: DeliverySettings,
    policy: BackoffPolicy,
  ): number {
    const { pace, streak, pauseMs } = paceAfterBatch(this.#store.pace(), claimed, verdicts, now, settings, policy);
    this.#store.savePace(pace);
    if (pauseMs !== null) log("info", "order_replay_paused", { shop: settings.shop, failures: streak, pauseMs });
    return streak;
  }

  /** Whether the origin's shared breaker admits traffic; when it cannot be asked, no (an order is then not blamed). */
  async #admits(shopId: string, originUrl: string): Promise<boolean> {
    try {
      return await originMonitor(this.env, shopId, originUrl).acceptsTraffic();
    } catch (error) {
      log("warn", "order_replay_origin_unknown", { shop: shopId, error: String(error) });
      return false;
    }
  }

  /** Orders whose delivery was cut off (the object was evicted or crashed mid-request) go back to the queue. */
  #requeueLostDeliveries(now: number, settings: DeliverySettings): void {
    const lost = this.#store.requeueLost(now);
    for (const reference of lost)
      log("warn", "order_requeued", { shop: settings.shop, reference, reason: "lease_expired" });
  }

  /** Edge-checkout orders carry stock reservations in `meta`; settling them never throws. */
  async #settleStock(settings: DeliverySettings | null, finished: Finished[]): Promise<void> {
    const withMeta = finished.filter((order) => order.meta !== null);
    if (!settings || withMeta.length === 0) return;
    const shop = await this.#shop(settings.shop);
    await Promise.all(
      withMeta.map((order) => settleOrderStock(this.env, shop, JSON.parse(order.meta!), order.outcome)),
    );
  }

  async #arm(): Promise<void> {
    const wake = nextWake(this.#store.wakeTimes(), this.#store.pace().pausedUntil);
    if (wake !== null) await this.#wakeBy(wake);
  }

  /** Makes sure the alarm fires no later than `time`; an earlier alarm stays (a run that finds nothing due re-arms). */
  async #wakeBy(time: number): Promise<void> {
    const current = this.#alarmAt === undefined ? await this.ctx.storage.getAlarm() : this.#alarmAt;
    this.#alarmAt = current;
    if (current !== null && current <= time) return;
    this.#alarmAt = undefined;
    await this.ctx.storage.setAlarm(time);
    this.#alarmAt = time;
  }

  /**
   * The key that seals this shard's sessions: from REPLAY_SECRET, else
   * ADMIN_TOKEN (so the stored rows alone never open a session), and a salt
   * the shard draws once. With neither secret set, from the salt alone: the
   * values still never show in a row, a listing or a log.
   */
  #key(shopId: string): Promise<CryptoKey> {
    this.#sessionKey ??= (async () => {
      const salt = this.#store.sessionSalt();
      const shop = await this.#shop(shopId);
      // A key made without the shop's secrets (they do not open now) is not kept: once they are PUT again,
      // the sessions sealed before are opened with the key they were sealed with.
      if (shop.unopenedSecrets.length > 0) this.#sessionKey = null;
      const { replaySecret, adminToken } = shop.config;
      return sessionKey(replaySecret ?? adminToken ?? "stayopen: no secret set", salt);
    })().catch((error: unknown) => {
      this.#sessionKey = null;
      throw error;
    });
    return this.#sessionKey;
  }

  /** The shard's shop as the registry knows it, deleted ones too: its queued orders go out with its own secrets. */
  async #shop(shopId: string) {
    const shop = await shopById(this.env, shopId);
    if (!shop) throw new Error(`shop ${shopId} is not in the registry`);
    return shop;
  }
}
