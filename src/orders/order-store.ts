import { toBase64Url } from "../http/base64url";
import { iso } from "../time";
import type { Pace, RetryStep } from "./replay-policy";
import type { Delivery } from "./replay";
import { ORDER_STATES, type DeliverySettings, type OrderState, type ShardOrder, type ShardOrderView } from "./types";
import type { DeliveryVerdict } from "./verdict";

/**
 * One order-queue shard's SQLite storage: the schema, its migrations and every
 * query. It decides nothing: when an order is due, how it backs off and how the
 * shard paces are src/orders/replay-policy.ts; the Durable Object
 * (src/orders/order-queue.ts) calls both.
 */

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
-- Only finished orders are looked up by age (retention): a new order writes one index less.
DROP INDEX IF EXISTS orders_by_update;
CREATE INDEX IF NOT EXISTS orders_finished ON orders (updated_at) WHERE state IN ('delivered', 'discarded');
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
export type Claimed = Omit<Delivery, "session"> & {
  seq: number;
  attempts: number;
  strikes: number;
  meta: string | null;
  sealedSession: string | null;
};

/** The newest order stored under a dedupe key: enough to tell the same request from another one. */
export type KnownOrder = { reference: string; fingerprint: string; content_type: string };

/** The earliest time of each kind of work left in the shard (null: none of that kind). */
export type WakeTimes = {
  due: number | null;
  lease: number | null;
  /** The oldest last change of a delivered or discarded order (both are kept RETENTION_MS). */
  finished: number | null;
};

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
 * The shard's tables. Every method is synchronous, so a caller that reads and
 * then writes without awaiting in between does both as one step.
 */
export class OrderStore {
  #sql: SqlStorage;
  #savedSettings: string | null = null;
  /** The shard row's pace as last read or written: this store is its only writer, and every enqueue reads it. */
  #pace: Pace | null = null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec(SCHEMA);
    addMissingColumns(this.#sql);
  }

  insert(order: ShardOrder, session: string | null, now: number, firstAttempt: number): void {
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
  }

  /** The newest order under `dedupeKey` queued at `since` or later. */
  latest(dedupeKey: string, since: number): KnownOrder | undefined {
    return this.#sql
      .exec<KnownOrder>(
        "SELECT reference, fingerprint, content_type FROM orders WHERE dedupe_key = ? AND queued_at >= ? ORDER BY seq DESC LIMIT 1",
        dedupeKey,
        since,
      )
      .toArray()[0];
  }

  /** The wire key remembered for `dedupeKey` within `windowMs`, else `proposed`, remembered from now on. */
  submissionKey(dedupeKey: string, proposed: string, windowMs: number, now: number): string {
    this.#sql.exec("DELETE FROM submissions WHERE at < ?", now - windowMs);
    const known = this.#sql
      .exec<{ wire_key: string }>("SELECT wire_key FROM submissions WHERE dedupe_key = ?", dedupeKey)
      .toArray()[0];
    if (known) return known.wire_key;
    this.#sql.exec("INSERT INTO submissions (dedupe_key, wire_key, at) VALUES (?, ?, ?)", dedupeKey, proposed, now);
    return proposed;
  }

  find(reference: string): ShardOrderView | null {
    const row = this.#sql.exec<OrderRow>("SELECT * FROM orders WHERE reference = ?", reference).toArray()[0];
    return row ? toView(row, false) : null;
  }

  /** Newest first; orders waiting for an operator come with their body so they can act on them. */
  list(state: OrderState, limit: number): ShardOrderView[] {
    return this.#sql
      .exec<OrderRow>("SELECT * FROM orders WHERE state = ? ORDER BY seq DESC LIMIT ?", state, limit)
      .toArray()
      .map((row) => toView(row, state === "dead" || state === "needs_attention"));
  }

  depth(): Record<OrderState, number> {
    const counts = Object.fromEntries(ORDER_STATES.map((state) => [state, 0])) as Record<OrderState, number>;
    for (const { state, n } of this.#sql.exec<{ state: string; n: number }>(
      "SELECT state, COUNT(*) AS n FROM orders GROUP BY state",
    )) {
      counts[state as OrderState] = n;
    }
    return counts;
  }

  /** Every queued order due now, and the shard's pause lifted. */
  dueNow(now: number): void {
    this.#sql.exec("UPDATE orders SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?", now, now);
    this.#unpause();
  }

  /** An operator's retry: queued again now with a fresh count of attempts, and the shard's pause lifted. */
  requeue(reference: string, now: number): void {
    this.#sql.exec(
      "UPDATE orders SET state = 'queued', attempts = 0, strikes = 0, next_attempt_at = ?, updated_at = ? WHERE reference = ?",
      now,
      now,
      reference,
    );
    this.#unpause();
  }

  #unpause(): void {
    this.#sql.exec("UPDATE shard SET paused_until = 0");
    if (this.#pace) this.#pace = { ...this.#pace, pausedUntil: 0 };
  }

  /** An operator's discard: never sent again; its session is dropped. */
  discard(reference: string, now: number): void {
    this.#sql.exec(
      "UPDATE orders SET state = 'discarded', session = NULL, updated_at = ? WHERE reference = ?",
      now,
      reference,
    );
  }

  stateOf(reference: string): OrderState | null {
    const row = this.#sql
      .exec<{ state: string }>("SELECT state FROM orders WHERE reference = ?", reference)
      .toArray()[0];
    return row ? (row.state as OrderState) : null;
  }

  metaOf(reference: string): string | null {
    return this.#sql.exec<{ meta: string | null }>("SELECT meta FROM orders WHERE reference = ?", reference).one().meta;
  }

  /** Deletes delivered and discarded orders last changed before `before`. */
  deleteFinished(before: number): void {
    this.#sql.exec("DELETE FROM orders WHERE state IN ('delivered', 'discarded') AND updated_at < ?", before);
  }

  /** Orders whose delivery lease ran out go back to the queue, due now; returns their references. */
  requeueLost(now: number): string[] {
    const lost = this.#sql
      .exec<{ reference: string }>("SELECT reference FROM orders WHERE state = 'delivering' AND lease_until <= ?", now)
      .toArray();
    if (lost.length === 0) return [];
    this.#sql.exec(
      "UPDATE orders SET state = 'queued', next_attempt_at = ?, lease_until = NULL, last_error = 'delivery_interrupted', updated_at = ? WHERE state = 'delivering' AND lease_until <= ?",
      now,
      now,
      now,
    );
    return lost.map(({ reference }) => reference);
  }

  /** The next orders that may go, marked as being delivered (one synchronous step, so nothing else can take them). */
  claim(limit: number, now: number, leaseUntil: number): Claimed[] {
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

  /** The body and session are no longer needed once the origin has the order; the fingerprint still answers idempotent retries. */
  markDelivered(seq: number, now: number): void {
    this.#sql.exec(
      "UPDATE orders SET state = 'delivered', delivered_at = ?, lease_until = NULL, last_error = NULL, body = '', session = NULL, updated_at = ? WHERE seq = ? AND state = 'delivering'",
      now,
      now,
      seq,
    );
  }

  markDead(seq: number, verdict: Extract<DeliveryVerdict, { kind: "dead" }>, now: number): void {
    this.#sql.exec(
      "UPDATE orders SET state = 'dead', last_error = ?, last_status = ?, last_excerpt = ?, lease_until = NULL, updated_at = ? WHERE seq = ? AND state = 'delivering'",
      verdict.error,
      verdict.answer.status,
      verdict.answer.excerpt,
      now,
      seq,
    );
  }

  /** A retryable failure: queued again for `step.nextAttemptAt`, or set aside as needing attention. */
  markRetry(seq: number, verdict: Extract<DeliveryVerdict, { kind: "retry" }>, step: RetryStep, now: number): void {
    this.#sql.exec(
      "UPDATE orders SET state = ?, strikes = ?, last_error = ?, last_status = ?, last_excerpt = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE seq = ? AND state = 'delivering'",
      step.state,
      step.strikes,
      verdict.error,
      verdict.answer?.status ?? null,
      verdict.answer?.excerpt ?? null,
      step.nextAttemptAt,
      now,
      seq,
    );
  }

  pace(): Pace {
    if (!this.#pace) {
      const shard = this.#shard();
      this.#pace = {
        inFlight: shard.in_flight,
        failures: shard.failures,
        failedSeq: shard.failed_seq,
        pausedUntil: shard.paused_until,
      };
    }
    return { ...this.#pace };
  }

  savePace(pace: Pace): void {
    this.#sql.exec(
      "UPDATE shard SET in_flight = ?, failures = ?, failed_seq = ?, paused_until = ?",
      pace.inFlight,
      pace.failures,
      pace.failedSeq,
      pace.pausedUntil,
    );
    this.#pace = { ...pace };
  }

  /** Whether any order is still waiting or being delivered. */
  hasWork(): boolean {
    return this.#sql.exec("SELECT 1 FROM orders WHERE state IN ('queued', 'delivering') LIMIT 1").toArray().length > 0;
  }

  /** A shard that has caught up starts its next backlog with one replay in flight again. */
  restartRamp(): void {
    this.#sql.exec("UPDATE shard SET in_flight = 1");
    if (this.#pace) this.#pace = { ...this.#pace, inFlight: 1 };
  }

  wakeTimes(): WakeTimes {
    return this.#sql
      .exec<WakeTimes>(
        `SELECT (SELECT MIN(next_attempt_at) FROM orders WHERE state = 'queued') AS due,
                (SELECT MIN(lease_until) FROM orders WHERE state = 'delivering') AS lease,
                (SELECT MIN(updated_at) FROM orders WHERE state IN ('delivered', 'discarded')) AS finished`,
      )
      .one();
  }

  /** The salt this shard's session key is derived with, drawn once. */
  sessionSalt(): string {
    let salt = this.#sql
      .exec<{ session_salt: string | null }>("SELECT session_salt FROM shard WHERE id = 1")
      .one().session_salt;
    if (salt === null) {
      salt = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
      this.#sql.exec("UPDATE shard SET session_salt = ?", salt);
    }
    return salt;
  }

  settings(): DeliverySettings | null {
    const saved = this.#shard().settings;
    return saved === null ? null : (JSON.parse(saved) as DeliverySettings);
  }

  keepSettings(settings: DeliverySettings): void {
    const json = JSON.stringify(settings);
    if (json === this.#savedSettings) return;
    this.#sql.exec("UPDATE shard SET settings = ?", json);
    this.#savedSettings = json;
  }

  #shard(): ShardRow {
    return this.#sql
      .exec<ShardRow>("SELECT settings, in_flight, failures, failed_seq, paused_until FROM shard WHERE id = 1")
      .one();
  }
}
