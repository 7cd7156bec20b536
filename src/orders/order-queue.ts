import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { toBase64Url } from "../http/base64url";
import { iso } from "../time";
import { shopControl } from "../control/controls";
import { activeMaintenance } from "../control/maintenance";
import { log } from "../log";
import { monitorName } from "../origin/monitor";
import { backoffDelayMs, type BackoffPolicy } from "./backoff";
import { bodyKind } from "./body";
import { nextInFlight } from "./ramp";
import { deliver, type Delivery } from "./replay";
import { openSession, sealSession, sessionKey } from "./session";
import {
  ORDER_STATES,
  type DeliverySettings,
  type EnqueueResult,
  type OrderAction,
  type OrderState,
  type ShardOrder,
  type ShardOrderView,
} from "./types";
import { deliveryVerdict, type DeliveryVerdict } from "./verdict";
import { shopById } from "../config/shops";
import { count, flushMetrics } from "../metrics/counters";
import { settleOrderStock, type OrderOutcome } from "../stock/reserve";

/** Delivered and discarded orders stay this long (status pages, idempotency), then they are deleted. */
const RETENTION_MS = 30 * 86_400_000;
/** One alarm run sends at most this many batches or runs this long, then re-arms: no run holds the object for long. */
const MAX_BATCHES_PER_RUN = 32;
const RUN_BUDGET_MS = 20_000;
/** A delivery whose lease ran out (the object died mid-request) is sent again; the lease is twice the origin deadline plus this. */
const LEASE_MARGIN_MS = 1_000;
/** Settings kept by an older version have no caps: the defaults of ORDER_MAX_ATTEMPTS and ORDER_MAX_RETRY_HOURS. */
const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_MAX_RETRY_MS = 72 * 3_600_000;
/** Distinct orders failing in a row, with no answer from the origin in between, that make the shard pause. */
const DOWN_STREAK = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  reference TEXT NOT NULL UNIQUE,
  dedupe_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  content_type TEXT NOT NULL,
  body TEXT NOT NULL,
  meta TEXT,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  strikes INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_status INTEGER,
  last_excerpt TEXT,
  session TEXT,
  queued_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  delivered_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_dedupe_key ON orders (dedupe_key, seq);
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state, seq);
CREATE INDEX IF NOT EXISTS orders_by_due ON orders (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS orders_by_update ON orders (state, updated_at);
CREATE TABLE IF NOT EXISTS submissions (
  dedupe_key TEXT PRIMARY KEY,
  wire_key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_by_age ON submissions (at);
CREATE TABLE IF NOT EXISTS shard (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  settings TEXT,
  in_flight INTEGER NOT NULL DEFAULT 1,
  failures INTEGER NOT NULL DEFAULT 0,
  failed_seq INTEGER,
  paused_until INTEGER NOT NULL DEFAULT 0,
  session_salt TEXT
);
INSERT OR IGNORE INTO shard (id) VALUES (1);
`;

/** Columns added since the first version: a shard created before them gets them on its next start. */
const ADDED_COLUMNS: Record<"orders" | "shard", Record<string, string>> = {
  orders: {
    strikes: "INTEGER NOT NULL DEFAULT 0",
    last_status: "INTEGER",
    last_excerpt: "TEXT",
    session: "TEXT",
  },
  shard: { failed_seq: "INTEGER", session_salt: "TEXT" },
};

function addMissingColumns(sql: SqlStorage): void {
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const have = new Set(
      sql
        .exec<{ name: string }>(`PRAGMA table_info(${table})`)
        .toArray()
        .map((column) => column.name),
    );
    for (const [name, type] of Object.entries(columns))
      if (!have.has(name)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
}

type OrderRow = {
  seq: number;
  reference: string;
  idempotency_key: string;
  method: string;
  path: string;
  content_type: string;
  body: string;
  meta: string | null;
  state: string;
  attempts: number;
  strikes: number;
  last_error: string | null;
  last_status: number | null;
  last_excerpt: string | null;
  session: string | null;
  queued_at: number;
  next_attempt_at: number;
  lease_until: number | null;
  delivered_at: number | null;
  updated_at: number;
};

type ShardRow = {
  settings: string | null;
  in_flight: number;
  failures: number;
  failed_seq: number | null;
  paused_until: number;
};

/** A claimed order: its session still sealed until just before it is sent. */
type Claimed = Omit<Delivery, "session"> & {
  seq: number;
  attempts: number;
  strikes: number;
  meta: string | null;
  sealedSession: string | null;
};
type Finished = { meta: string | null; outcome: OrderOutcome };

function toView(row: OrderRow, withBody: boolean): ShardOrderView {
  return {
    reference: row.reference,
    state: row.state as OrderState,
    method: row.method,
    path: row.path,
    contentType: row.content_type,
    attempts: row.attempts,
    lastError: row.last_error,
    lastAnswer: row.last_status === null ? null : { status: row.last_status, excerpt: row.last_excerpt ?? "" },
    queuedAt: iso(row.queued_at)!,
    nextAttemptAt: row.state === "queued" ? iso(row.next_attempt_at) : null,
    deliveredAt: iso(row.delivered_at),
    updatedAt: iso(row.updated_at)!,
    meta: row.meta,
    ...(withBody ? { body: row.body } : {}),
  };
}

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
  #sql: SqlStorage;
  #savedSettings: string | null = null;
  #running: Promise<void> | null = null;
  #sessionKey: Promise<CryptoKey> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(SCHEMA);
    addMissingColumns(this.#sql);
    // An object that restarts with work but without an alarm (its alarm retries ran out) schedules one.
    void ctx.blockConcurrencyWhile(() => this.#arm());
  }

  /** Stores a new order, or finds the one it duplicates. Durable when this resolves. */
  async enqueue(order: ShardOrder, settings: DeliverySettings): Promise<EnqueueResult> {
    // Sealed first: the duplicate check and the insert below then run as one step, with nothing awaited between.
    const session =
      order.session === null ? null : await sealSession(await this.#key(settings.shop), order.reference, order.session);
    const now = Date.now();
    this.#keepSettings(settings);
    const since = order.dedupeWindowMs === null ? Number.MIN_SAFE_INTEGER : now - order.dedupeWindowMs;
    const known = this.#known(order, since);
    if (known) return known;

    // The origin has just failed: the first attempt waits one backoff base.
    const firstAttempt = now + settings.retryBaseMs;
    this.#sql.exec(
      `INSERT INTO orders (reference, dedupe_key, fingerprint, idempotency_key, method, path, content_type, body, meta, session, state, queued_at, next_attempt_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      order.reference,
      order.dedupeKey,
      order.fingerprint,
      order.idempotencyKey,
      order.method,
      order.path,
      order.contentType,
      order.body,
      order.meta,
      session,
      now,
      firstAttempt,
      now,
    );
    log("info", "order_queued", {
      shop: settings.shop,
      reference: order.reference,
      method: order.method,
      path: order.path,
      session: session !== null,
    });
    await this.#wakeBy(Math.max(firstAttempt, this.#shard().paused_until));
    return { outcome: "created", reference: order.reference };
  }

  /**
   * The Idempotency-Key for a browser's keyless form submission sent to a
   * healthy origin: the key the same submission got within `windowMs`, else
   * `proposed`, remembered from now on. A double click is then one key even
   * across a minute boundary, and the same basket bought later is a new one.
   */
  submissionKey(dedupeKey: string, proposed: string, windowMs: number): string {
    const now = Date.now();
    this.#sql.exec("DELETE FROM submissions WHERE at < ?", now - windowMs);
    const known = this.#sql
      .exec<{ wire_key: string }>("SELECT wire_key FROM submissions WHERE dedupe_key = ?", dedupeKey)
      .toArray()[0];
    if (known) return known.wire_key;
    this.#sql.exec("INSERT INTO submissions (dedupe_key, wire_key, at) VALUES (?, ?, ?)", dedupeKey, proposed, now);
    return proposed;
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
    const known = this.#sql
      .exec<{ reference: string; fingerprint: string; content_type: string }>(
        "SELECT reference, fingerprint, content_type FROM orders WHERE dedupe_key = ? AND queued_at >= ? ORDER BY seq DESC LIMIT 1",
        order.dedupeKey,
        since,
      )
      .toArray()[0];
    if (!known) return null;
    // The same bytes sent as JSON and as a form are two different requests.
    return known.fingerprint === order.fingerprint && bodyKind(known.content_type) === bodyKind(order.contentType)
      ? { outcome: "existing", reference: known.reference }
      : { outcome: "conflict" };
  }

  async find(reference: string): Promise<ShardOrderView | null> {
    const row = this.#sql.exec<OrderRow>("SELECT * FROM orders WHERE reference = ?", reference).toArray()[0];
    return row ? toView(row, false) : null;
  }

  /** Newest first; orders waiting for an operator come with their body so they can act on them. */
  async list(state: OrderState, limit: number): Promise<ShardOrderView[]> {
    return this.#sql
      .exec<OrderRow>("SELECT * FROM orders WHERE state = ? ORDER BY seq DESC LIMIT ?", state, limit)
      .toArray()
      .map((row) => toView(row, state === "dead" || state === "needs_attention"));
  }

  async depth(): Promise<Record<OrderState, number>> {
    const counts = Object.fromEntries(ORDER_STATES.map((state) => [state, 0])) as Record<OrderState, number>;
    for (const { state, n } of this.#sql.exec<{ state: string; n: number }>(
      "SELECT state, COUNT(*) AS n FROM orders GROUP BY state",
    )) {
      counts[state as OrderState] = n;
    }
    return counts;
  }

  /**
   * Replays now: the origin is back (or an operator says so), so backoffs and
   * the pause are lifted. Without settings, with the ones the shard keeps.
   */
  async drain(settings?: DeliverySettings): Promise<void> {
    const now = Date.now();
    if (settings) this.#keepSettings(settings);
    this.#sql.exec("UPDATE orders SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?", now, now);
    this.#sql.exec("UPDATE shard SET paused_until = 0");
    await this.#arm();
  }

  /**
   * An operator sends an order not yet delivered (dead, needing attention, or
   * still waiting out a backoff) now, with a fresh count of attempts.
   */
  async retry(reference: string): Promise<OrderAction> {
    const now = Date.now();
    const action = this.#operatorMove(reference);
    if (action.outcome !== "moved") return action;
    this.#sql.exec(
      "UPDATE orders SET state = 'queued', attempts = 0, strikes = 0, next_attempt_at = ?, updated_at = ? WHERE reference = ?",
      now,
      now,
      reference,
    );
    this.#sql.exec("UPDATE shard SET paused_until = 0");
    const settings = this.#settings();
    log("info", "order_requeued", { shop: settings?.shop, reference, from: action.from, reason: "operator_retry" });
    if (settings) count(this.env, settings.shop, "order_transitions", { to: "queued", cause: "operator" });
    // A waiting order still holds its stock; one that had stopped gets it back.
    if (action.from !== "queued")
      await this.#settleStock(settings, [{ meta: this.#metaOf(reference), outcome: "requeued" }]);
    await this.#arm();
    return { outcome: "done", state: "queued" };
  }

  /** An order the operator has dealt with elsewhere (or refuses): never sent again; its session is dropped. */
  async discard(reference: string): Promise<OrderAction> {
    const now = Date.now();
    const action = this.#operatorMove(reference);
    if (action.outcome !== "moved") return action;
    this.#sql.exec(
      "UPDATE orders SET state = 'discarded', session = NULL, updated_at = ? WHERE reference = ?",
      now,
      reference,
    );
    const settings = this.#settings();
    log("info", "order_discarded", { shop: settings?.shop, reference, from: action.from });
    if (settings) count(this.env, settings.shop, "order_transitions", { to: "discarded", cause: "operator" });
    await this.#settleStock(settings, [{ meta: this.#metaOf(reference), outcome: "discarded" }]);
    await this.#arm();
    return { outcome: "done", state: "discarded" };
  }

  override async alarm(): Promise<void> {
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    await this.#running;
  }

  async #run(): Promise<void> {
    const settings = this.#settings();
    if (!settings) return;
    const secret = (await this.#shop(settings.shop)).config.replaySecret;
    const policy: BackoffPolicy = { baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs };
    const startedAt = Date.now();
    this.#requeueLostDeliveries(startedAt, settings);
    this.#sql.exec(
      "DELETE FROM orders WHERE state IN ('delivered', 'discarded') AND updated_at < ?",
      startedAt - RETENTION_MS,
    );

    const heldUntil = await this.#maintenanceHold(settings.shop, startedAt, policy);
    if (heldUntil !== null) {
      await this.#wakeBy(heldUntil);
      return;
    }

    const originUrl = await this.#deliveryOrigin(settings);
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && Date.now() - startedAt < RUN_BUDGET_MS; batch++) {
      const shard = this.#shard();
      const now = Date.now();
      if (now < shard.paused_until) break;
      const claimed = this.#claim(
        Math.min(shard.in_flight, settings.maxInFlight),
        now,
        now + 2 * settings.originTimeoutMs + LEASE_MARGIN_MS,
      );
      if (claimed.length === 0) break;
      const sending = await Promise.all(claimed.map((order) => this.#withSession(order, settings)));
      const outcomes = await Promise.all(
        sending.map((order) => deliver(order, originUrl, settings.originTimeoutMs, secret)),
      );
      const settledAt = Date.now();
      const verdicts = outcomes.map((outcome) => deliveryVerdict(outcome, settledAt));
      const streak = this.#pace(claimed, verdicts, settledAt, settings, policy);
      const failedOnly = verdicts.every((verdict) => verdict.kind === "retry");
      // Whether these failures are the orders' own: the origin answered others, or it seems up and nothing else fails.
      const originUp = !failedOnly || (streak < DOWN_STREAK && (await this.#admits(settings.shop, originUrl)));
      const finished = claimed
        .map((order, i) => this.#settle(order, verdicts[i]!, settledAt, settings, policy, originUp))
        .filter((outcome) => outcome !== null);
      await this.#settleStock(settings, finished);
    }
    // A shard that has caught up starts its next backlog with one replay in flight again.
    if (this.#sql.exec("SELECT 1 FROM orders WHERE state IN ('queued', 'delivering') LIMIT 1").toArray().length === 0) {
      this.#sql.exec("UPDATE shard SET in_flight = 1");
    }
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
        if (await this.env.ORIGIN_MONITOR.getByName(monitorName(settings.shop, url)).acceptsTraffic()) {
          if (url !== settings.originUrl) log("info", "order_replay_to_backup", { shop: settings.shop, origin: url });
          return url;
        }
      }
    } catch (error) {
      log("warn", "order_replay_origin_unknown", { shop: settings.shop, error: String(error) });
    }
    return settings.originUrl;
  }

  /** The next orders that may go, marked as being delivered (one synchronous step, so nothing else can take them). */
  #claim(limit: number, now: number, leaseUntil: number): Claimed[] {
    const rows = this.#sql
      .exec<OrderRow>(
        "SELECT * FROM orders WHERE state = 'queued' AND (attempts = 0 OR next_attempt_at <= ?) ORDER BY seq LIMIT ?",
        now,
        limit,
      )
      .toArray();
    for (const row of rows) {
      this.#sql.exec(
        "UPDATE orders SET state = 'delivering', attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE seq = ?",
        leaseUntil,
        now,
        row.seq,
      );
    }
    return rows.map((row) => ({
      seq: row.seq,
      strikes: row.strikes,
      sealedSession: row.session,
      reference: row.reference,
      idempotencyKey: row.idempotency_key,
      method: row.method,
      path: row.path,
      contentType: row.content_type,
      body: row.body,
      queuedAt: row.queued_at,
      attempts: row.attempts + 1,
      meta: row.meta,
    }));
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
        // The body and session are no longer needed once the origin has the order; the fingerprint still answers idempotent retries.
        this.#sql.exec(
          "UPDATE orders SET state = 'delivered', delivered_at = ?, lease_until = NULL, last_error = NULL, body = '', session = NULL, updated_at = ? WHERE seq = ? AND state = 'delivering'",
          now,
          now,
          order.seq,
        );
        log("info", "order_delivered", fields);
        return { meta: order.meta, outcome: "delivered" };
      case "dead":
        this.#sql.exec(
          "UPDATE orders SET state = 'dead', last_error = ?, last_status = ?, last_excerpt = ?, lease_until = NULL, updated_at = ? WHERE seq = ? AND state = 'delivering'",
          verdict.error,
          verdict.answer.status,
          verdict.answer.excerpt,
          now,
          order.seq,
        );
        log("warn", "order_dead_lettered", { ...fields, error: verdict.error });
        return { meta: order.meta, outcome: "dead" };
      case "retry": {
        const strikes = order.strikes + (originUp ? 1 : 0);
        const cap =
          strikes >= (settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
            ? "max_attempts"
            : now - order.queuedAt >= (settings.maxRetryMs ?? DEFAULT_MAX_RETRY_MS)
              ? "max_retry_hours"
              : null;
        const delayMs = Math.max(backoffDelayMs(order.attempts, policy), verdict.retryAfterMs ?? 0);
        this.#sql.exec(
          "UPDATE orders SET state = ?, strikes = ?, last_error = ?, last_status = ?, last_excerpt = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE seq = ? AND state = 'delivering'",
          cap === null ? "queued" : "needs_attention",
          strikes,
          verdict.error,
          verdict.answer?.status ?? null,
          verdict.answer?.excerpt ?? null,
          now + delayMs,
          now,
          order.seq,
        );
        if (cap === null) {
          log("info", "order_retry_scheduled", { ...fields, strikes, error: verdict.error, delayMs });
          return null;
        }
        count(this.env, settings.shop, "order_transitions", { to: "needs_attention", cause: cap });
        log("warn", "order_needs_attention", {
          ...fields,
          strikes,
          cause: cap,
          error: verdict.error,
          status: verdict.answer?.status ?? null,
        });
        // Like a dead letter, it stops here until an operator retries it.
        return { meta: order.meta, outcome: "dead" };
      }
    }
  }

  /**
   * Paces the shard after a batch and returns how many different orders have
   * failed in a row without any answer from the origin. A clean batch ramps
   * up; a batch the origin answered in part leaves the pace as it is (what
   * failed is those orders' own trouble); a batch of failures only drops to
   * one in flight, and pauses the shard once DOWN_STREAK different orders
   * failed in a row: the origin itself seems down.
   */
  #pace(
    claimed: Claimed[],
    verdicts: DeliveryVerdict[],
    now: number,
    settings: DeliverySettings,
    policy: BackoffPolicy,
  ): number {
    const shard = this.#shard();
    const failed = claimed.filter((_order, i) => verdicts[i]!.kind === "retry");
    if (failed.length === 0) {
      this.#sql.exec(
        "UPDATE shard SET in_flight = ?, failures = 0, failed_seq = NULL, paused_until = 0",
        nextInFlight(shard.in_flight, "succeeded", settings.maxInFlight),
      );
      return 0;
    }
    if (failed.length < claimed.length) {
      this.#sql.exec("UPDATE shard SET failures = 0, failed_seq = NULL, paused_until = 0");
      return 0;
    }
    // The same order failing again is no news about the origin.
    const streak = shard.failures + failed.filter((order) => order.seq !== shard.failed_seq).length;
    const lastFailed = failed.at(-1)!.seq;
    if (streak < DOWN_STREAK) {
      this.#sql.exec(
        "UPDATE shard SET in_flight = ?, failures = ?, failed_seq = ?",
        nextInFlight(shard.in_flight, "failed", settings.maxInFlight),
        streak,
        lastFailed,
      );
      return streak;
    }
    const retryAfter = verdicts.map((verdict) => (verdict.kind === "retry" ? (verdict.retryAfterMs ?? 0) : 0));
    const pauseMs = Math.max(backoffDelayMs(streak - 1, policy), ...retryAfter);
    this.#sql.exec(
      "UPDATE shard SET in_flight = ?, failures = ?, failed_seq = ?, paused_until = ?",
      nextInFlight(shard.in_flight, "failed", settings.maxInFlight),
      streak,
      lastFailed,
      now + pauseMs,
    );
    log("info", "order_replay_paused", { shop: settings.shop, failures: streak, pauseMs });
    return streak;
  }

  /** Whether the origin's shared breaker admits traffic; when it cannot be asked, no (an order is then not blamed). */
  async #admits(shopId: string, originUrl: string): Promise<boolean> {
    try {
      return await this.env.ORIGIN_MONITOR.getByName(monitorName(shopId, originUrl)).acceptsTraffic();
    } catch (error) {
      log("warn", "order_replay_origin_unknown", { shop: shopId, error: String(error) });
      return false;
    }
  }

  /** Orders whose delivery was cut off (the object was evicted or crashed mid-request) go back to the queue. */
  #requeueLostDeliveries(now: number, settings: DeliverySettings): void {
    const lost = this.#sql
      .exec<{ reference: string }>("SELECT reference FROM orders WHERE state = 'delivering' AND lease_until <= ?", now)
      .toArray();
    if (lost.length === 0) return;
    this.#sql.exec(
      "UPDATE orders SET state = 'queued', next_attempt_at = ?, lease_until = NULL, last_error = 'delivery_interrupted', updated_at = ? WHERE state = 'delivering' AND lease_until <= ?",
      now,
      now,
      now,
    );
    for (const { reference } of lost)
      log("warn", "order_requeued", { shop: settings.shop, reference, reason: "lease_expired" });
  }

  /** Whether an operator may move this order: any not yet delivered, except while an attempt is out. */
  #operatorMove(reference: string): { outcome: "moved"; from: OrderState } | Exclude<OrderAction, { outcome: "done" }> {
    const row = this.#sql
      .exec<{ state: string }>("SELECT state FROM orders WHERE reference = ?", reference)
      .toArray()[0];
    if (!row) return { outcome: "not_found" };
    const state = row.state as OrderState;
    if (state === "delivering") return { outcome: "in_flight", state };
    if (state === "delivered" || state === "discarded") return { outcome: "finished", state };
    return { outcome: "moved", from: state };
  }

  #metaOf(reference: string): string | null {
    return this.#sql.exec<{ meta: string | null }>("SELECT meta FROM orders WHERE reference = ?", reference).one().meta;
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

  /** When the object must next wake up: due orders (not before the pause ends), expiring leases, old rows to delete. */
  #nextWake(): number | null {
    const { due, lease, delivered, discarded } = this.#sql
      .exec<{ due: number | null; lease: number | null; delivered: number | null; discarded: number | null }>(
        `SELECT (SELECT MIN(next_attempt_at) FROM orders WHERE state = 'queued') AS due,
                (SELECT MIN(lease_until) FROM orders WHERE state = 'delivering') AS lease,
                (SELECT MIN(updated_at) FROM orders WHERE state = 'delivered') AS delivered,
                (SELECT MIN(updated_at) FROM orders WHERE state = 'discarded') AS discarded`,
      )
      .one();
    const wakes: number[] = [];
    if (due !== null) wakes.push(Math.max(due, this.#shard().paused_until));
    if (lease !== null) wakes.push(lease);
    for (const finishedAt of [delivered, discarded]) if (finishedAt !== null) wakes.push(finishedAt + RETENTION_MS);
    return wakes.length > 0 ? Math.min(...wakes) : null;
  }

  async #arm(): Promise<void> {
    const wake = this.#nextWake();
    if (wake !== null) await this.#wakeBy(wake);
  }

  /** Makes sure the alarm fires no later than `time`; an earlier alarm stays (a run that finds nothing due re-arms). */
  async #wakeBy(time: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > time) await this.ctx.storage.setAlarm(time);
  }

  #shard(): ShardRow {
    return this.#sql
      .exec<ShardRow>("SELECT settings, in_flight, failures, failed_seq, paused_until FROM shard WHERE id = 1")
      .one();
  }

  /**
   * The key that seals this shard's sessions: from REPLAY_SECRET, else
   * ADMIN_TOKEN (so the stored rows alone never open a session), and a salt
   * the shard draws once. With neither secret set, from the salt alone: the
   * values still never show in a row, a listing or a log.
   */
  #key(shopId: string): Promise<CryptoKey> {
    this.#sessionKey ??= (async () => {
      let salt = this.#sql
        .exec<{ session_salt: string | null }>("SELECT session_salt FROM shard WHERE id = 1")
        .one().session_salt;
      if (salt === null) {
        salt = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
        this.#sql.exec("UPDATE shard SET session_salt = ?", salt);
      }
      const config = (await this.#shop(shopId)).config;
      return sessionKey(config.replaySecret ?? config.adminToken ?? "stayopen: no secret set", salt);
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

  #settings(): DeliverySettings | null {
    const saved = this.#shard().settings;
    return saved === null ? null : (JSON.parse(saved) as DeliverySettings);
  }

  #keepSettings(settings: DeliverySettings): void {
    const json = JSON.stringify(settings);
    if (json === this.#savedSettings) return;
    this.#sql.exec("UPDATE shard SET settings = ?", json);
    this.#savedSettings = json;
  }
}
