import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { log } from "../log";
import type { PaymentMethod, PaymentStatus } from "./provider";

export type PaymentRecord = {
  reference: string;
  method: PaymentMethod;
  status: PaymentStatus;
  sessionId: string | null;
  sessionUrl: string | null;
  amount: number;
  currency: string;
  createdAt: number;
  updatedAt: number;
  announcedAt: number | null;
};

type Row = {
  reference: string;
  method: PaymentMethod;
  status: PaymentStatus;
  session_id: string | null;
  session_url: string | null;
  amount: number;
  currency: string;
  created_at: number;
  updated_at: number;
  announced_at: number | null;
};

const toRecord = (row: Row): PaymentRecord => ({
  reference: row.reference,
  method: row.method,
  status: row.status,
  sessionId: row.session_id,
  sessionUrl: row.session_url,
  amount: row.amount,
  currency: row.currency,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  announcedAt: row.announced_at,
});

/** What a client is told about an order's payment: how, how far, and where to pay while it is awaited. */
export type PaymentState = { method: PaymentMethod; status: PaymentStatus; url?: string };

export function paymentState(record: PaymentRecord): PaymentState {
  return record.status === "awaiting_payment" && record.sessionUrl
    ? { method: record.method, status: record.status, url: record.sessionUrl }
    : { method: record.method, status: record.status };
}

export type Unannounced = { needingPaymentLink: string[]; paid: string[] };

/**
 * The payment state of every edge order of one shop, keyed by order
 * reference. The queued order body is immutable (it is what the shop
 * receives, byte for byte), so what happens to the payment afterwards lives
 * here: the status page shows it and the recovery webhook hands it over.
 */
export class PaymentLedger extends DurableObject<Env> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS payments (
      reference TEXT PRIMARY KEY,
      method TEXT NOT NULL,
      status TEXT NOT NULL,
      session_id TEXT,
      session_url TEXT,
      amount INTEGER NOT NULL,
      currency TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      announced_at INTEGER
    )`);
  }

  /** Records a new order's payment; a resubmitted order keeps the state it already has. */
  open(
    entry: { reference: string; method: PaymentMethod; status: PaymentStatus; amount: number; currency: string },
    now = Date.now(),
  ): PaymentRecord {
    const inserted = this.#sql.exec(
      `INSERT INTO payments (reference, method, status, amount, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (reference) DO NOTHING`,
      entry.reference,
      entry.method,
      entry.status,
      entry.amount,
      entry.currency,
      now,
      now,
    ).rowsWritten;
    if (inserted > 0)
      log("info", "payment_opened", { reference: entry.reference, method: entry.method, status: entry.status });
    return this.get(entry.reference)!;
  }

  get(reference: string): PaymentRecord | null {
    const row = this.#sql.exec<Row>("SELECT * FROM payments WHERE reference = ?", reference).toArray()[0];
    return row ? toRecord(row) : null;
  }

  sessionStarted(reference: string, sessionId: string, sessionUrl: string, now = Date.now()): void {
    this.#sql.exec(
      "UPDATE payments SET session_id = ?, session_url = ?, updated_at = ? WHERE reference = ? AND status != 'paid'",
      sessionId,
      sessionUrl,
      now,
      reference,
    );
    log("info", "payment_session_started", { reference, sessionId });
  }

  /** The hosted checkout failed to start or expired unpaid: the shop has to send a link after all. */
  linkNeeded(reference: string, reason: string, sessionId?: string, now = Date.now()): void {
    // A provider's news about some other session (not the one opened for this order) changes nothing.
    const changed = this.#sql.exec(
      "UPDATE payments SET status = 'pending_link', updated_at = ?, announced_at = NULL WHERE reference = ? AND status = 'awaiting_payment' AND (? IS NULL OR session_id IS NULL OR session_id = ?)",
      now,
      reference,
      sessionId ?? null,
      sessionId ?? null,
    ).rowsWritten;
    if (changed > 0) log("warn", "payment_link_needed", { reference, reason });
  }

  /**
   * The provider confirmed payment. Unknown references change nothing, and
   * so does a payment that is not the one asked for: another session than the
   * one opened for this order, or another amount or currency.
   */
  markPaid(
    reference: string,
    session: { id: string; amountTotal: number | null; currency: string | null },
    now = Date.now(),
  ): "paid" | "already_paid" | "unknown" | "not_this_payment" {
    const current = this.get(reference);
    if (!current) return "unknown";
    if (current.status === "paid") return "already_paid";
    const sameSession = current.sessionId === session.id;
    const sameAmount = session.amountTotal === null || session.amountTotal === current.amount;
    const sameCurrency = session.currency === null || session.currency.toUpperCase() === current.currency.toUpperCase();
    if (!sameSession || !sameAmount || !sameCurrency) {
      log("warn", "payment_mismatch", { reference, sessionId: session.id, sameSession, sameAmount, sameCurrency });
      return "not_this_payment";
    }
    this.#sql.exec(
      "UPDATE payments SET status = 'paid', updated_at = ?, announced_at = NULL WHERE reference = ?",
      now,
      reference,
    );
    log("info", "payment_paid", { reference, sessionId: session.id });
    return "paid";
  }

  /** What the next recovery announcement has to tell the shop. */
  unannounced(): Unannounced {
    const rows = this.#sql
      .exec<{ reference: string; status: PaymentStatus; session_url: string | null }>(
        "SELECT reference, status, session_url FROM payments WHERE announced_at IS NULL ORDER BY created_at",
      )
      .toArray();
    // An order with an open hosted payment page has its way to pay; a second link could be paid twice.
    const hasPaymentPage = (row: { status: PaymentStatus; session_url: string | null }) =>
      row.status === "awaiting_payment" && row.session_url !== null;
    return {
      needingPaymentLink: rows
        .filter((row) => row.status !== "paid" && !hasPaymentPage(row))
        .map((row) => row.reference),
      paid: rows.filter((row) => row.status === "paid").map((row) => row.reference),
    };
  }

  /** Marks what an announcement built at `builtAt` carried; anything that changed since waits for the next one. */
  markAnnounced(references: string[], builtAt: number, now = Date.now()): void {
    this.#sql.exec(
      "UPDATE payments SET announced_at = ? WHERE announced_at IS NULL AND updated_at <= ? AND reference IN (SELECT value FROM json_each(?))",
      now,
      builtAt,
      JSON.stringify(references),
    );
  }
}
