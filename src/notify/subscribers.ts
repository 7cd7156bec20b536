import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { log } from "../log";
import { postWebhook } from "./webhook";

export type Subscriber = { email: string; subscribedAt: number; announcedAt: number | null };

/** The recovery webhook body; its shape is documented in docs/architecture.md. */
export type RecoveryAnnouncement = {
  type: "stayopen.recovered";
  shop: string;
  recoveredAt: string;
  subscribers: { email: string; subscribedAt: string }[];
  ordersNeedingPaymentLink: string[];
  ordersPaid: string[];
};

export type AnnounceOutcome =
  | { status: "scheduled"; id: string; subscribers: number; orders: number }
  /** An earlier announcement is still being delivered; it is the one webhook for this recovery. */
  | { status: "pending"; id: string }
  | { status: "nothing_to_announce" };

export type PendingAnnouncement = { id: string; attempts: number; nextAttemptAt: number; lastError: string | null };

/** Subscribers per recovery webhook: 5,000 addresses keep a stored announcement well under a row's 2 MB. */
export const ANNOUNCE_BATCH = 5_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 3_600_000;

/** Exponential backoff with jitter, capped at an hour: retried until the shop answers 2xx. */
export function retryDelayMs(attempts: number, random = Math.random()): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random));
}

type AnnouncementRow = {
  id: string;
  shop: string;
  url: string;
  body: string;
  built_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  emails: string;
  orders: string;
};

/**
 * "Tell me when you're back" for one shop: the subscriber list (one row per
 * address) and the outbox of the recovery webhook, delivered by alarm and
 * retried with backoff until the shop's endpoint answers 2xx. Each
 * announcement carries everyone not yet announced; what it carried is marked
 * only once it was delivered.
 */
export class NotifySubscribers extends DurableObject<Env> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS subscribers (
      email TEXT PRIMARY KEY,
      subscribed_at INTEGER NOT NULL,
      announced_at INTEGER
    )`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS announcements (
      id TEXT PRIMARY KEY,
      shop TEXT NOT NULL,
      url TEXT NOT NULL,
      body TEXT NOT NULL,
      built_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      delivered_at INTEGER,
      last_error TEXT,
      emails TEXT NOT NULL,
      orders TEXT NOT NULL
    )`);
  }

  /** Adds an address once; someone who asks again after being told wants to be told again next time. */
  subscribe(email: string, now = Date.now()): "subscribed" | "already_subscribed" {
    const existing = this.#sql
      .exec<{ announced_at: number | null }>("SELECT announced_at FROM subscribers WHERE email = ?", email)
      .toArray()[0];
    if (existing && existing.announced_at === null) return "already_subscribed";
    this.#sql.exec(
      `INSERT INTO subscribers (email, subscribed_at) VALUES (?, ?)
       ON CONFLICT (email) DO UPDATE SET subscribed_at = excluded.subscribed_at, announced_at = NULL`,
      email,
      now,
    );
    log("info", "notify_subscribed", { resubscribed: existing !== undefined });
    return existing ? "already_subscribed" : "subscribed";
  }

  list(): Subscriber[] {
    return this.#sql
      .exec<{ email: string; subscribed_at: number; announced_at: number | null }>(
        "SELECT * FROM subscribers ORDER BY subscribed_at, email",
      )
      .toArray()
      .map((row) => ({ email: row.email, subscribedAt: row.subscribed_at, announcedAt: row.announced_at }));
  }

  /**
   * Builds the one webhook for this recovery and schedules its delivery now.
   * While an earlier one is still undelivered, that one stands.
   */
  async announce(
    input: { shop: string; url: string; ordersNeedingPaymentLink: string[]; ordersPaid: string[] },
    now = Date.now(),
  ): Promise<AnnounceOutcome> {
    const pending = this.pending();
    if (pending) return { status: "pending", id: pending.id };
    const built = this.#build(input, now);
    if (!built) return { status: "nothing_to_announce" };
    await this.ctx.storage.setAlarm(now);
    log("info", "recovery_announcement_scheduled", built);
    return { status: "scheduled", ...built };
  }

  /**
   * Stores the next announcement: at most ANNOUNCE_BATCH subscribers, so a
   * long outage's list still fits a row (a Durable Object row holds 2 MB);
   * the rest follow in further webhooks, each sent once the one before it is.
   */
  #build(
    input: { shop: string; url: string; ordersNeedingPaymentLink: string[]; ordersPaid: string[] },
    now: number,
  ): { id: string; subscribers: number; orders: number } | null {
    const subscribers = this.#sql
      .exec<{ email: string; subscribed_at: number }>(
        "SELECT email, subscribed_at FROM subscribers WHERE announced_at IS NULL ORDER BY subscribed_at, email LIMIT ?",
        ANNOUNCE_BATCH,
      )
      .toArray();
    const orders = [...input.ordersNeedingPaymentLink, ...input.ordersPaid];
    if (subscribers.length === 0 && orders.length === 0) return null;

    const announcement: RecoveryAnnouncement = {
      type: "stayopen.recovered",
      shop: input.shop,
      recoveredAt: new Date(now).toISOString(),
      subscribers: subscribers.map((row) => ({
        email: row.email,
        subscribedAt: new Date(row.subscribed_at).toISOString(),
      })),
      ordersNeedingPaymentLink: input.ordersNeedingPaymentLink,
      ordersPaid: input.ordersPaid,
    };
    const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    this.#sql.exec(
      `INSERT INTO announcements (id, shop, url, body, built_at, next_attempt_at, emails, orders) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      input.shop,
      input.url,
      JSON.stringify(announcement),
      now,
      now,
      JSON.stringify(subscribers.map((row) => row.email)),
      JSON.stringify(orders),
    );
    return { id, subscribers: subscribers.length, orders: orders.length };
  }

  pending(): PendingAnnouncement | null {
    const row = this.#sql
      .exec<AnnouncementRow>("SELECT * FROM announcements WHERE delivered_at IS NULL ORDER BY built_at LIMIT 1")
      .toArray()[0];
    return row
      ? { id: row.id, attempts: row.attempts, nextAttemptAt: row.next_attempt_at, lastError: row.last_error }
      : null;
  }

  override async alarm(): Promise<void> {
    const row = this.#sql
      .exec<AnnouncementRow>("SELECT * FROM announcements WHERE delivered_at IS NULL ORDER BY built_at LIMIT 1")
      .toArray()[0];
    if (row) await this.#deliver(row);
  }

  async #deliver(row: AnnouncementRow): Promise<void> {
    const now = Date.now();
    const attempt = await postWebhook(this.env, row.shop, row.url, row.id, row.body);
    if (attempt.ok) {
      this.#sql.exec("UPDATE announcements SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?", now, row.id);
      this.#sql.exec(
        "UPDATE subscribers SET announced_at = ? WHERE announced_at IS NULL AND subscribed_at <= ? AND email IN (SELECT value FROM json_each(?))",
        now,
        row.built_at,
        row.emails,
      );
      log("info", "recovery_announcement_delivered", { id: row.id, attempts: row.attempts + 1 });
      await this.env.PAYMENTS.get(this.env.PAYMENTS.idFromName(row.shop))
        .markAnnounced(JSON.parse(row.orders) as string[], row.built_at)
        .catch((error: unknown) => log("warn", "payments_mark_announced_failed", { id: row.id, error: String(error) }));
      // The subscribers a full batch left out go next, in a webhook of their own.
      const rest = this.#build({ shop: row.shop, url: row.url, ordersNeedingPaymentLink: [], ordersPaid: [] }, now);
      if (rest) {
        log("info", "recovery_announcement_scheduled", rest);
        await this.ctx.storage.setAlarm(now);
      }
      return;
    }
    const attempts = row.attempts + 1;
    const error = attempt.error;
    const next = now + retryDelayMs(attempts);
    this.#sql.exec(
      "UPDATE announcements SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
      attempts,
      next,
      error,
      row.id,
    );
    await this.ctx.storage.setAlarm(next);
    log("warn", "recovery_announcement_failed", { id: row.id, attempts, error, retryInMs: next - now });
  }
}
