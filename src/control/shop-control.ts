import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { iso } from "../time";
import { incidentReporter } from "../incidents/store";
import { log } from "../log";
import {
  activeMaintenance,
  nextBoundary,
  nextMaintenance,
  type Maintenance,
  type MaintenanceRequest,
} from "./maintenance";

/**
 * What isolates keep a copy of. `welcomeDue`: a maintenance window ended by
 * itself and nobody has welcomed shoppers back yet (see `claimWelcome`).
 */
export type ControlState = { maintenance: Maintenance | null; welcomeDue?: boolean };

type ControlRecord = {
  shopId: string | null;
  maintenance: Maintenance | null;
  startLogged: boolean;
  welcomeDue: boolean;
  /** INCIDENT_MIN_S as the operator's last switch knew it, for the windows the alarm opens and closes. */
  incidentMinS?: number;
};

/** INCIDENT_MIN_S's default, for a record no operator switch has written since incidents were kept. */
const DEFAULT_INCIDENT_MIN_S = 60;

/**
 * The operator's switches for one shop, named `${shopId}:control`: forced
 * maintenance with its window, the one-time bypass links already used and
 * the dashboard sessions logged out of.
 * Kept apart from the origin monitors so that changing ORIGIN_URL in the
 * middle of maintenance does not end it. The alarm logs a scheduled window's
 * start and clears it at its end, leaving the welcome back to the next
 * isolate that learns of it (`claimWelcome`).
 */
export class ShopControl extends DurableObject<Env> {
  #record: ControlRecord | undefined;
  #reportIncident: ReturnType<typeof incidentReporter>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#reportIncident = incidentReporter(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS control (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)",
    );
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS used_links (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
  }

  read(): ControlState {
    const record = this.#current;
    return { maintenance: record.maintenance, welcomeDue: record.welcomeDue };
  }

  /**
   * True for exactly one caller after a window ended by itself: that isolate
   * sends the held orders and the "we're back" hand-over, with its shop's
   * configuration (this object has none), as an operator ending it would.
   */
  claimWelcome(): boolean {
    const record = this.#current;
    if (!record.welcomeDue) return false;
    record.welcomeDue = false;
    this.#save();
    return true;
  }

  async setMaintenance(shopId: string, request: MaintenanceRequest, incidentMinS?: number): Promise<ControlState> {
    const now = Date.now();
    const record = this.#current;
    const previous = record.maintenance;
    const next = nextMaintenance(previous, request, now);
    const wasActive = activeMaintenance(previous, now) !== null;
    const isActive = activeMaintenance(next, now) !== null;
    record.shopId = shopId;
    if (incidentMinS !== undefined) record.incidentMinS = incidentMinS;
    record.maintenance = next;
    record.startLogged = isActive;
    // The operator acts: ending maintenance welcomes shoppers back at once, starting it again closes the shop.
    record.welcomeDue = false;
    if (isActive) this.#maintenanceIncident("began", now, next!.message);
    else if (wasActive) this.#maintenanceIncident("ended", now);
    if (!next) {
      if (previous) log("info", "maintenance_ended", { shop: shopId, cause: "operator" });
    } else if (isActive) {
      log("warn", wasActive ? "maintenance_updated" : "maintenance_started", {
        shop: shopId,
        cause: "operator",
        message: next.message,
        until: iso(next.until),
      });
    } else {
      log("info", "maintenance_scheduled", {
        shop: shopId,
        from: iso(next.from),
        until: iso(next.until),
        message: next.message,
      });
    }
    this.#save();
    await this.#schedule(now);
    return this.read();
  }

  /** Marks a one-time link as used; false when it already was. */
  redeemLink(nonce: string, expiresAt: number): boolean {
    this.ctx.storage.sql.exec("DELETE FROM used_links WHERE expires_at < ?", Date.now());
    const inserted = this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO used_links (nonce, expires_at) VALUES (?, ?) RETURNING nonce",
      nonce,
      expiresAt,
    );
    return inserted.toArray().length === 1;
  }

  /** Ends a dashboard session for good (logout), until its own expiry; the signed cookie alone cannot be revoked. */
  endSession(id: string, expiresAt: number): void {
    this.redeemLink(`session:${id}`, expiresAt);
  }

  sessionEnded(id: string): boolean {
    return (
      this.ctx.storage.sql
        .exec("SELECT 1 FROM used_links WHERE nonce = ? AND expires_at >= ?", `session:${id}`, Date.now())
        .toArray().length > 0
    );
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const record = this.#current;
    const maintenance = record.maintenance;
    if (maintenance && maintenance.until !== null && now >= maintenance.until) {
      // A window the alarm saw neither start nor end of (a late wake) still enters the history.
      if (!record.startLogged) this.#maintenanceIncident("began", maintenance.from, maintenance.message);
      this.#maintenanceIncident("ended", maintenance.until);
      record.maintenance = null;
      record.startLogged = false;
      record.welcomeDue = true;
      log("info", "maintenance_ended", { shop: record.shopId, cause: "window" });
    } else if (maintenance && !record.startLogged && now >= maintenance.from) {
      record.startLogged = true;
      this.#maintenanceIncident("began", maintenance.from, maintenance.message);
      log("warn", "maintenance_started", {
        shop: record.shopId,
        cause: "window",
        message: maintenance.message,
        until: iso(maintenance.until),
      });
    }
    this.#save();
    await this.#schedule(now);
  }

  /** Forced maintenance is an incident of the shop's history; an update of the message while on becomes its update. */
  #maintenanceIncident(phase: "began" | "ended", at: number, message?: string | null): void {
    const { shopId, incidentMinS } = this.#current;
    if (shopId === null) return;
    this.#reportIncident({
      shopId,
      kind: "maintenance",
      phase,
      at,
      minS: incidentMinS ?? DEFAULT_INCIDENT_MIN_S,
      message,
    });
  }

  get #current(): ControlRecord {
    if (!this.#record) {
      const row = this.ctx.storage.sql.exec<{ record: string }>("SELECT record FROM control WHERE id = 1").toArray()[0];
      // Defaults first, so a record written by an older version gains the fields it lacks.
      const stored = row ? (JSON.parse(row.record) as Partial<ControlRecord>) : {};
      this.#record = { shopId: null, maintenance: null, startLogged: false, welcomeDue: false, ...stored };
    }
    return this.#record;
  }

  #save(): void {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO control (id, record) VALUES (1, ?)",
      JSON.stringify(this.#current),
    );
  }

  async #schedule(now: number): Promise<void> {
    const at = nextBoundary(this.#current.maintenance, now);
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }
}
