import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { log } from "../log";
import { canonicalLabels, metricsStub } from "../metrics/counters";
import { retryDelayMs } from "../notify/subscribers";
import { postWebhook } from "../notify/webhook";
import { onStart, shownAfterEnd } from "./flaps";
import { impactOf, type Counters } from "./impact";
import {
  defaultTitle,
  newIncidentId,
  RETENTION_MS,
  type Incident,
  type IncidentKind,
  type IncidentPage,
  type IncidentUpdate,
} from "./incident";
import { nextPageLink, type PageQuery } from "./page";
import { iso } from "../time";

/** A start or an end, as the breaker's monitor or the operator's switches saw it. */
export type IncidentEvent = {
  shopId: string;
  kind: IncidentKind;
  phase: "began" | "ended";
  at: number;
  /** INCIDENT_MIN_S of the shop. */
  minS: number;
  /** The maintenance message shoppers see, kept as the incident's update. */
  message?: string | null;
};

/** The webhook sent to NOTIFY_WEBHOOK_URL for each update; its shape is documented in docs/incidents.md. */
export type IncidentUpdateWebhook = {
  type: "stayopen.incident_updated";
  shop: string;
  incident: Pick<Incident, "id" | "kind" | "title" | "startedAt" | "endedAt">;
  update: IncidentUpdate;
};

type Row = {
  id: string;
  kind: IncidentKind;
  started_at: number;
  ended_at: number | null;
  title: string;
  updates: string;
  baseline: string | null;
  closing: string | null;
  delivered_until: number | null;
};

type OutboxRow = { id: string; url: string; body: string; created_at: number; attempts: number };

/** An update webhook the shop has not taken for this long is dropped (and logged): the history keeps the update. */
const WEBHOOK_GIVE_UP_MS = 3 * 86_400_000;

/** How long one read of the counters serves listings: a crowd on the status page asks the metrics once a second. */
export const COUNTERS_FRESH_MS = 1_000;

const SERIES = {
  stale: ["requests", canonicalLabels({ source: "stale" })],
  queued: ["requests", canonicalLabels({ source: "queued" })],
  delivered: ["replay_outcomes", canonicalLabels({ outcome: "delivered" })],
} as const;

/**
 * One shop's incident history, named `${shopId}:incidents`: outages of the
 * primary origin (from its OriginMonitor) and forced maintenance (from
 * ShopControl), merged across flaps, kept RETENTION_MS after they end; the
 * operator's titles and updates; and the outbox of update webhooks, sent by
 * alarm and retried with backoff. Impact comes from the shop's metrics
 * counters, read at the start and end of each incident, so counting costs
 * the hot path nothing beyond the metrics it already keeps.
 */
export class IncidentLog extends DurableObject<Env> {
  #sql: SqlStorage;
  #listed: { at: number; counters: Promise<Counters | null> } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS incidents (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      title TEXT NOT NULL,
      hidden INTEGER NOT NULL DEFAULT 0,
      updates TEXT NOT NULL DEFAULT '[]',
      baseline TEXT,
      closing TEXT,
      delivered_until INTEGER
    )`);
    this.#sql.exec("CREATE INDEX IF NOT EXISTS incidents_newest ON incidents (hidden, started_at DESC, id DESC)");
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id TEXT PRIMARY KEY,
      url TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL
    )`);
  }

  /** Records a start or an end. The counters are read first, so the decision and the write happen in one step. */
  async record(event: IncidentEvent): Promise<void> {
    const counters = await this.#counters(event.shopId);
    this.#sql.exec("DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < ?", Date.now() - RETENTION_MS);
    if (event.phase === "began") this.#began(event, counters);
    else this.#ended(event, counters);
  }

  #began(event: IncidentEvent, counters: Counters | null): void {
    const { shopId, kind, at } = event;
    const last = this.#sql
      .exec<{ id: string; ended_at: number | null }>(
        "SELECT id, ended_at FROM incidents WHERE kind = ? ORDER BY started_at DESC, id DESC LIMIT 1",
        kind,
      )
      .toArray()[0];
    const decision = onStart(last ? { id: last.id, endedAt: last.ended_at } : null, at, event.minS * 1000);
    switch (decision.action) {
      case "continue":
        break;
      case "reopen":
        this.#sql.exec("UPDATE incidents SET ended_at = NULL, closing = NULL, hidden = 0 WHERE id = ?", decision.id);
        log("info", "incident_reopened", { shop: shopId, id: decision.id, kind });
        break;
      case "new": {
        const id = newIncidentId();
        // Deliveries after this point belong to this incident, not to the ones before it.
        if (counters)
          this.#sql.exec(
            "UPDATE incidents SET delivered_until = ? WHERE delivered_until IS NULL AND ended_at IS NOT NULL",
            counters.delivered,
          );
        this.#sql.exec(
          "INSERT INTO incidents (id, kind, started_at, title, baseline) VALUES (?, ?, ?, ?, ?)",
          id,
          kind,
          at,
          defaultTitle(kind),
          counters && JSON.stringify(counters),
        );
        log("warn", "incident_started", { shop: shopId, id, kind, startedAt: iso(at) });
        this.#appendMessage(id, at, event.message);
        return;
      }
    }
    this.#appendMessage(decision.id, at, event.message);
  }

  /** The maintenance message as an update, unless it says what the last update already says. */
  #appendMessage(id: string, at: number, message: string | null | undefined): void {
    if (!message) return;
    const updates = this.#updates(id);
    if (updates.at(-1)?.message === message) return;
    this.#writeUpdates(id, [...updates, { at: iso(at), message }]);
  }

  #ended(event: IncidentEvent, counters: Counters | null): void {
    const { shopId, kind, at } = event;
    const open = this.#sql
      .exec<Row>("SELECT * FROM incidents WHERE kind = ? AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1", kind)
      .toArray()[0];
    if (!open) {
      log("info", "incident_end_without_start", { shop: shopId, kind, at: iso(at) });
      return;
    }
    const updates = JSON.parse(open.updates) as IncidentUpdate[];
    const shown = shownAfterEnd(open.started_at, at, updates.length, event.minS * 1000);
    this.#sql.exec(
      "UPDATE incidents SET ended_at = ?, closing = ?, hidden = ? WHERE id = ?",
      at,
      counters && JSON.stringify(counters),
      shown ? 0 : 1,
      open.id,
    );
    const fields = { shop: shopId, id: open.id, kind, durationMs: at - open.started_at };
    if (shown) log("info", "incident_ended", fields);
    else log("info", "incident_left_out", { ...fields, minS: event.minS });
  }

  /** Shown incidents, newest first. */
  async list(shopId: string, query: PageQuery): Promise<IncidentPage> {
    const { before, limit } = query;
    const rows = this.#sql
      .exec<Row>(
        `SELECT * FROM incidents WHERE hidden = 0 ${before ? "AND (started_at < ? OR (started_at = ? AND id < ?))" : ""}
         ORDER BY started_at DESC, id DESC LIMIT ?`,
        ...(before ? [before.startedAt, before.startedAt, before.id] : []),
        limit + 1,
      )
      .toArray();
    const shown = rows.slice(0, limit);
    const incidents = await this.#present(shopId, shown);
    const last = shown.at(-1);
    return {
      incidents,
      next: nextPageLink(last && { startedAt: last.started_at, id: last.id }, rows.length > limit, limit),
    };
  }

  async get(shopId: string, id: string): Promise<Incident | null> {
    const row = this.#row(id);
    return row ? ((await this.#present(shopId, [row]))[0] ?? null) : null;
  }

  /** A new title from the operator; null when there is no such incident. */
  async retitle(shopId: string, id: string, title: string): Promise<Incident | null> {
    if (!this.#row(id)) return null;
    this.#sql.exec("UPDATE incidents SET title = ? WHERE id = ?", title, id);
    log("info", "incident_retitled", { shop: shopId, id, title });
    return this.get(shopId, id);
  }

  /**
   * An operator's update: added to the record (which it also brings into the
   * history, if the incident was left out as a flap) and, when the shop set
   * NOTIFY_WEBHOOK_URL, queued as a webhook sent at once and retried until the
   * shop answers 2xx.
   */
  async postUpdate(shopId: string, id: string, message: string, webhookUrl?: string): Promise<Incident | null> {
    const row = this.#row(id);
    if (!row) return null;
    const now = Date.now();
    const update = { at: iso(now), message };
    this.#writeUpdates(id, [...(JSON.parse(row.updates) as IncidentUpdate[]), update]);
    this.#sql.exec("UPDATE incidents SET hidden = 0 WHERE id = ?", id);
    log("info", "incident_update_posted", { shop: shopId, id, webhook: webhookUrl !== undefined });
    if (webhookUrl) {
      const webhook: IncidentUpdateWebhook = {
        type: "stayopen.incident_updated",
        shop: shopId,
        incident: {
          id,
          kind: row.kind,
          title: row.title,
          startedAt: iso(row.started_at),
          endedAt: iso(row.ended_at),
        },
        update,
      };
      const messageId = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
      this.#sql.exec(
        "INSERT INTO outbox (id, url, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
        messageId,
        webhookUrl,
        JSON.stringify(webhook),
        now,
        now,
      );
      await this.ctx.storage.setAlarm(now);
    }
    return this.get(shopId, id);
  }

  /** Sends the update webhooks that are due, oldest first, and wakes again for the next retry. */
  override async alarm(): Promise<void> {
    const due = this.#sql
      .exec<OutboxRow>("SELECT * FROM outbox WHERE next_attempt_at <= ? ORDER BY created_at", Date.now())
      .toArray();
    for (const row of due) {
      // The update names its shop (this object serves one): signed with that shop's secret.
      const { shop } = JSON.parse(row.body) as IncidentUpdateWebhook;
      const attempt = await postWebhook(this.env, shop, row.url, row.id, row.body);
      const now = Date.now();
      const attempts = row.attempts + 1;
      if (attempt.ok) {
        this.#sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
        log("info", "incident_webhook_delivered", { id: row.id, attempts });
      } else if (now - row.created_at > WEBHOOK_GIVE_UP_MS) {
        this.#sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
        log("error", "incident_webhook_dropped", { id: row.id, attempts, error: attempt.error });
      } else {
        const next = now + retryDelayMs(attempts);
        this.#sql.exec("UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?", attempts, next, row.id);
        log("warn", "incident_webhook_failed", { id: row.id, attempts, error: attempt.error, retryInMs: next - now });
      }
    }
    const next = this.#sql
      .exec<{ at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM outbox")
      .toArray()[0]?.at;
    if (next !== null && next !== undefined) await this.ctx.storage.setAlarm(next);
  }

  #row(id: string): Row | undefined {
    return this.#sql.exec<Row>("SELECT * FROM incidents WHERE id = ?", id).toArray()[0];
  }

  #updates(id: string): IncidentUpdate[] {
    const row = this.#row(id);
    return row ? (JSON.parse(row.updates) as IncidentUpdate[]) : [];
  }

  #writeUpdates(id: string, updates: IncidentUpdate[]): void {
    this.#sql.exec("UPDATE incidents SET updates = ? WHERE id = ?", JSON.stringify(updates), id);
  }

  /** Rows as records; the counters are read only when an incident is ongoing or its deliveries still count. */
  async #present(shopId: string, rows: Row[]): Promise<Incident[]> {
    const needsNow = rows.some(
      (row) => row.baseline !== null && (row.closing === null || row.delivered_until === null),
    );
    const now = needsNow ? await this.#countersForListing(shopId) : null;
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      startedAt: iso(row.started_at),
      endedAt: iso(row.ended_at),
      title: row.title,
      updates: JSON.parse(row.updates) as IncidentUpdate[],
      impact: impactOf(
        row.baseline === null ? null : (JSON.parse(row.baseline) as Counters),
        row.closing === null ? null : (JSON.parse(row.closing) as Counters),
        row.delivered_until,
        now,
      ),
    }));
  }

  #countersForListing(shopId: string): Promise<Counters | null> {
    const now = Date.now();
    if (!this.#listed || now - this.#listed.at >= COUNTERS_FRESH_MS)
      this.#listed = { at: now, counters: this.#counters(shopId) };
    return this.#listed.counters;
  }

  /** The shop's counters now, or null when the metrics cannot be read (the impact then claims nothing). */
  async #counters(shopId: string): Promise<Counters | null> {
    try {
      const rows = await metricsStub(this.env, shopId).read();
      const value = ([name, labels]: readonly [string, string]) =>
        rows.find((row) => row.name === name && row.labels === labels)?.value ?? 0;
      return { stale: value(SERIES.stale), queued: value(SERIES.queued), delivered: value(SERIES.delivered) };
    } catch (error) {
      log("warn", "incident_counters_unreadable", { shop: shopId, error: String(error) });
      return null;
    }
  }
}
