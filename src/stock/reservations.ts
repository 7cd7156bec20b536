import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { log } from "../log";

/**
 * Stock held for edge orders of one SKU. Available = the feed's stock minus
 * what is held here; one object per SKU, so reserving is a single-threaded
 * read-then-write and two shoppers can never both take the last item.
 *
 * A reservation is `held` until its order is queued (`active`); a hold whose
 * order never got queued (the request died in between) lapses after
 * HOLD_MS. `released` reservations (dead-lettered or discarded orders) no
 * longer count. `delivered` ones count until a feed snapshot newer than their
 * delivery arrives, because from then on the shop's own stock figure
 * includes them.
 */

export const HOLD_MS = 15 * 60_000;
const KEEP_SETTLED_MS = 7 * 86_400_000;

export type StockLevel = { stock: number | null; stockAsOf: number };
export type Reservation = { id: string; qty: number } & StockLevel;
export type ReserveOutcome = { ok: true; available: number | null } | { ok: false; available: number };

export class StockReservations extends DurableObject<Env> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS reservations (
      id TEXT PRIMARY KEY,
      qty INTEGER NOT NULL,
      state TEXT NOT NULL,
      reference TEXT,
      created_at INTEGER NOT NULL,
      hold_until INTEGER NOT NULL,
      settled_at INTEGER
    )`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS feed (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      stock INTEGER,
      stock_as_of INTEGER NOT NULL
    )`);
  }

  /** Units still for sale, or null when the shop does not track this SKU's stock. */
  available(level: StockLevel, now = Date.now()): number | null {
    const feed = this.#newestFeed(level);
    return feed.stock === null ? null : Math.max(0, feed.stock - this.#counted(feed.stockAsOf, now));
  }

  /** Holds `qty` units unless that would oversell. The same id twice is one reservation. */
  reserve({ id, qty, ...level }: Reservation, now = Date.now()): ReserveOutcome {
    const feed = this.#newestFeed(level);
    const existing = this.#sql
      .exec<{ state: string; hold_until: number }>("SELECT state, hold_until FROM reservations WHERE id = ?", id)
      .toArray()[0];
    const lapsed = existing?.state === "held" && existing.hold_until <= now;
    if (existing && !lapsed) return { ok: true, available: this.available(feed, now) };

    if (feed.stock !== null) {
      const available = Math.max(0, feed.stock - this.#counted(feed.stockAsOf, now));
      if (qty > available) {
        log("info", "stock_reservation_refused", { id, qty, available });
        return { ok: false, available };
      }
    }
    this.#sql.exec(
      `INSERT INTO reservations (id, qty, state, created_at, hold_until) VALUES (?, ?, 'held', ?, ?)
       ON CONFLICT (id) DO UPDATE SET qty = excluded.qty, state = 'held', hold_until = excluded.hold_until`,
      id,
      qty,
      now,
      now + HOLD_MS,
    );
    this.#prune(feed.stockAsOf, now);
    log("info", "stock_reserved", { id, qty, stock: feed.stock });
    return { ok: true, available: this.available(feed, now) };
  }

  /** The order is queued: the hold no longer lapses. */
  confirm(id: string, reference: string): void {
    this.#sql.exec(
      "UPDATE reservations SET state = 'active', reference = ? WHERE id = ? AND state = 'held'",
      reference,
      id,
    );
    log("info", "stock_reservation_confirmed", { id, reference });
  }

  /** The order will not reach the shop (dead letter, discarded, or never queued): its units are for sale again. */
  release(id: string, now = Date.now()): void {
    const changed = this.#sql.exec(
      "UPDATE reservations SET state = 'released', settled_at = ? WHERE id = ? AND state IN ('held', 'active')",
      now,
      id,
    ).rowsWritten;
    if (changed > 0) log("info", "stock_reservation_released", { id });
  }

  /**
   * A released order is back in the queue (an operator retried the dead
   * letter): its units count again, even past the stock left, since the
   * order was accepted before those who bought them since; the shop's own
   * stock check decides at delivery.
   */
  reclaim(id: string): void {
    const changed = this.#sql.exec(
      "UPDATE reservations SET state = 'active', settled_at = NULL WHERE id = ? AND state = 'released'",
      id,
    ).rowsWritten;
    log(changed > 0 ? "info" : "warn", changed > 0 ? "stock_reservation_reclaimed" : "stock_reclaim_missed", { id });
  }

  /** The shop has the order; it keeps counting until the feed has caught up with it. */
  delivered(id: string, deliveredAt: number): void {
    this.#sql.exec(
      "UPDATE reservations SET state = 'delivered', settled_at = ? WHERE id = ? AND state IN ('held', 'active')",
      deliveredAt,
      id,
    );
    log("info", "stock_reservation_delivered", { id });
  }

  /** Stock figures only move forward in time: an isolate holding an older snapshot cannot roll it back. */
  #newestFeed(level: StockLevel): StockLevel {
    const stored = this.#sql
      .exec<{ stock: number | null; stock_as_of: number }>("SELECT stock, stock_as_of FROM feed WHERE id = 1")
      .toArray()[0];
    if (stored && stored.stock_as_of >= level.stockAsOf) return { stock: stored.stock, stockAsOf: stored.stock_as_of };
    this.#sql.exec(
      "INSERT INTO feed (id, stock, stock_as_of) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET stock = excluded.stock, stock_as_of = excluded.stock_as_of",
      level.stock,
      level.stockAsOf,
    );
    return level;
  }

  #counted(stockAsOf: number, now: number): number {
    const row = this.#sql
      .exec<{ units: number | null }>(
        `SELECT SUM(qty) AS units FROM reservations
         WHERE state = 'active'
            OR (state = 'held' AND hold_until > ?)
            OR (state = 'delivered' AND settled_at > ?)`,
        now,
        stockAsOf,
      )
      .one();
    return row.units ?? 0;
  }

  /** Settled rows are kept a week so a late resubmit of the same order still finds them; delivered ones until the feed includes them. */
  #prune(stockAsOf: number, now: number): void {
    const cutoff = now - KEEP_SETTLED_MS;
    this.#sql.exec(
      `DELETE FROM reservations WHERE (state = 'released' AND settled_at < ?)
         OR (state = 'delivered' AND settled_at < ? AND settled_at <= ?)
         OR (state = 'held' AND hold_until < ?)`,
      cutoff,
      cutoff,
      stockAsOf,
      cutoff,
    );
  }
}
