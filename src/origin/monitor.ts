import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import { log } from "../log";
import {
  admits,
  applyOutcomes,
  awaitsConfirmation,
  initialBreaker,
  applyProbe,
  isEmpty,
  tick,
  transitionEvent,
  type BreakerState,
  type Outcomes,
} from "./breaker";
import type { SharedHealth } from "./health";
import { originHooks, type OutageReporter } from "./hooks";
import type { MonitorRecord, MonitorSettings, RecentError } from "./monitor-record";
import { MonitorStore } from "./monitor-store";
import { monitorDetails, type MonitorDetails } from "./monitor-view";
import { nextProbeAt, probeInterval, probeOrigin, probeResult, type ProbeReport } from "./probe";
import { slowStartEndsAt } from "./slow-start";

/**
 * `drain` is true for exactly one exchange after each recovery: that isolate
 * starts draining the order queue. `confirm`: shoppers fail while the breaker
 * is closed and a health probe is due or out; the isolate asks `confirm()` for
 * the verdict.
 */
export type ExchangeAnswer = { shared: SharedHealth; drain: boolean; confirm: boolean };

type Cause = "traffic" | "probe" | "cooldown" | "retired";

const LAST_SEEN_RESOLUTION_MS = 60_000;
const KEPT_ERRORS = 10;
/** An origin no isolate has asked about for a day (say, a replaced ORIGIN_URL) stops being probed. */
const QUIET_AFTER_MS = 86_400_000;

/** The monitor of one origin of one shop. */
export const monitorName = (shopId: string, originUrl: string) => `${shopId}:origin:${originUrl}`;

/** The instance that keeps the roster of a shop's origins (see `useOrigins`); it monitors none itself. */
export const rosterName = (shopId: string) => `${shopId}:origins`;

/** The one way to reach the OriginMonitor of one origin of a shop. */
export function originMonitor(env: Env, shopId: string, originUrl: string): DurableObjectStub<OriginMonitor> {
  return env.ORIGIN_MONITOR.getByName(monitorName(shopId, originUrl));
}

/** The one way to reach a shop's roster of origins. */
export function originRoster(env: Env, shopId: string): DurableObjectStub<OriginMonitor> {
  return env.ORIGIN_MONITOR.getByName(rosterName(shopId));
}

/**
 * The deployment-wide view of one origin of one shop, named
 * `${shopId}:origin:${originUrl}`. Isolates exchange batched reports for the
 * current state; the alarm runs the health probes and ends slow starts. Every
 * transition is logged and kept for the dashboard.
 */
export class OriginMonitor extends DurableObject<Env> {
  #store: MonitorStore;
  #record: MonitorRecord | undefined;
  #lastExchangeAt: number | null = null;
  /** The probe that is out (the alarm's or a confirmation): shared, and exchanges schedule nothing meanwhile. */
  #probeOut: Promise<void> | null = null;
  #reportIncident: OutageReporter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#reportIncident = originHooks().outageReporter(ctx, env);
    this.#store = new MonitorStore(ctx.storage.sql);
  }

  /**
   * On the shop's roster instance (`rosterName`): the origins the shop's
   * configuration names now. The monitors of origins it no longer names (a
   * replaced ORIGIN_URL, a removed backup) are retired at once, so an old
   * origin is not probed after the change.
   */
  async useOrigins(shopId: string, originUrls: string[]): Promise<void> {
    const gone = this.#store.rosterUpdate(originUrls);
    if (gone.length === 0) return;
    await Promise.all(gone.map((url) => originMonitor(this.env, shopId, url).retire()));
    this.#store.rosterRemove(gone);
  }

  /** The configuration no longer names this origin: no more probes until an isolate exchanges with it again. */
  async retire(): Promise<void> {
    const record = this.#current;
    if (record.lastSeenAt === null) return;
    record.lastSeenAt = null;
    // The shop no longer uses this origin, so its outage (if any) is over for the shop: the incident ends
    // here, and a later return of the URL to the configuration starts from a closed breaker.
    if (record.settings && record.breaker.state !== "closed")
      this.#move(initialBreaker(Date.now()), Date.now(), "retired");
    this.#save();
    await this.ctx.storage.deleteAlarm();
    log("info", "origin_monitor_retired", {
      shop: record.settings?.shopId ?? null,
      origin: record.settings?.originUrl ?? null,
    });
  }

  /** Takes one isolate's report and answers the shared state. */
  async exchange(settings: MonitorSettings, report: Outcomes): Promise<ExchangeAnswer> {
    const now = Date.now();
    const record = this.#current;
    record.settings = settings;
    this.#lastExchangeAt = now;
    if (record.lastSeenAt === null || now - record.lastSeenAt >= LAST_SEEN_RESOLUTION_MS) record.lastSeenAt = now;
    this.#move(tick(record.breaker, now, settings.policy), now, "cooldown");
    if (!isEmpty(report)) {
      if (report.failures > 0 && report.lastError)
        this.#noteError({ at: now, reason: report.lastError, source: "traffic", count: report.failures });
      this.#move(applyOutcomes(record.breaker, report, now, settings.policy), now, "traffic");
    }
    const drain = record.drainPending;
    record.drainPending = false;
    const confirm = awaitsConfirmation(record.breaker) && (this.#probeOut !== null || this.#confirmationDue(now));
    this.#save();
    await this.#schedule(now);
    return { shared: this.#shared, drain, confirm };
  }

  /**
   * Whether the shoppers' failures are the shop's or only their URLs': sends
   * the health probe when one is due (the first failure of a run asks at once,
   * later runs at most once per PROBE_INTERVAL_MS, so a client hammering a
   * broken URL cannot make the monitor hammer the origin), waits for the probe
   * that is out, and answers the shared state after it.
   */
  async confirm(): Promise<SharedHealth> {
    const now = Date.now();
    const record = this.#current;
    const settings = record.settings;
    if (settings && this.#probeOut === null && this.#confirmationDue(now)) {
      record.lastConfirmAt = now;
      const breaker = record.breaker;
      log("info", "probe_confirmation_requested", {
        shop: settings.shopId,
        origin: settings.originUrl,
        path: settings.healthPath,
        failures: breaker.state === "closed" ? breaker.failures : 0,
        paths: breaker.state === "closed" ? (breaker.paths ?? []) : [],
        reason: breaker.lastError ?? null,
      });
      this.#save();
      this.ctx.waitUntil(this.#probe(settings));
    }
    await this.#probeOut;
    return this.#shared;
  }

  /** Whether shoppers may be sent to this origin now, for the order queue choosing where replays go. */
  acceptsTraffic(): boolean {
    const record = this.#current;
    if (!record.settings) return admits(record.breaker);
    const now = Date.now();
    this.#move(tick(record.breaker, now, record.settings.policy), now, "cooldown");
    this.#save();
    return admits(record.breaker);
  }

  /** Everything the operator sees about this origin. */
  describe(): MonitorDetails {
    const now = Date.now();
    const record = this.#current;
    if (record.settings) this.#move(tick(record.breaker, now, record.settings.policy), now, "cooldown");
    const nextAt =
      record.settings && this.#probing(now)
        ? nextProbeAt(record.breaker, record.probes.last?.at ?? null, record.settings.probe)
        : null;
    const transitions = this.#store.transitions(20);
    this.#save();
    return monitorDetails(record, now, nextAt, transitions, this.#lastExchangeAt ?? record.lastSeenAt);
  }

  override async alarm(): Promise<void> {
    const settings = this.#current.settings;
    if (!settings) return;
    let now = Date.now();
    this.#move(tick(this.#current.breaker, now, settings.policy), now, "cooldown");
    // Whatever woke the alarm, a probe now is never early: the schedule only aims at probe times and slow-start ends.
    if (this.#probing(now) && probeInterval(this.#current.breaker.state, settings.probe) !== null) {
      await (this.#probeOut ?? this.#probe(settings));
      now = Date.now();
    }
    const slowStart = this.#current.slowStart;
    if (slowStart && now >= slowStartEndsAt(slowStart)) {
      this.#current.slowStart = null;
      log("info", "slow_start_finished", {
        shop: settings.shopId,
        origin: settings.originUrl,
        durationMs: slowStart.durationMs,
      });
    }
    this.#save();
    await this.#schedule(now);
  }

  /**
   * The origin is back and maybe no shopper is around to tell: the queue
   * shards stop waiting out their backoff now (the hook registered by src/index.ts).
   * The first isolate to exchange afterwards still gets `drain` (and hands
   * over the notify-me list); its drain finds nothing left to hurry.
   */
  async #wakeQueue(settings: MonitorSettings): Promise<void> {
    if (!settings.drainsOrders || !settings.orderShards) return;
    try {
      await originHooks().wakeOrderQueue(this.env, settings.shopId, settings.orderShards);
    } catch (error) {
      log("warn", "queue_wake_failed", { shop: settings.shopId, origin: settings.originUrl, error: String(error) });
    }
  }

  get #shared(): SharedHealth {
    return { breaker: this.#current.breaker, slowStart: this.#current.slowStart };
  }

  #confirmationDue(now: number): boolean {
    const { settings, breaker, lastConfirmAt } = this.#current;
    return (
      settings !== null &&
      awaitsConfirmation(breaker) &&
      (lastConfirmAt === null || now - lastConfirmAt >= settings.probe.intervalMs)
    );
  }

  /** One health probe, recorded; the one that is out until it is back. */
  #probe(settings: MonitorSettings): Promise<void> {
    const probing = async () => {
      const wasOut = this.#current.breaker.state !== "closed";
      const report = await probeOrigin(settings.originUrl, settings.healthPath, settings.probe);
      const now = Date.now();
      this.#recordProbe(report, now);
      this.#save();
      if (wasOut && this.#current.breaker.state === "closed") await this.#wakeQueue(settings);
    };
    this.#probeOut = probing().finally(() => {
      this.#probeOut = null;
    });
    // Exchanges that came while it was out scheduled nothing.
    return this.#probeOut.then(() => this.#schedule(Date.now()));
  }

  get #current(): MonitorRecord {
    this.#record ??= this.#store.load(Date.now());
    return this.#record;
  }

  /** Writes only what changed (src/origin/monitor-store.ts). */
  #save(): void {
    this.#store.save(this.#current);
  }

  #probing(now: number): boolean {
    const last = this.#current.lastSeenAt;
    return last !== null && now - last < QUIET_AFTER_MS;
  }

  #recordProbe(report: ProbeReport, now: number): void {
    const record = this.#current;
    const settings = record.settings!;
    record.probes = {
      total: record.probes.total + 1,
      failed: record.probes.failed + (report.ok ? 0 : 1),
      last: report,
    };
    const before = record.breaker;
    if (report.ok && before.state === "closed" && before.failures > 0)
      log("info", "failure_isolated", {
        shop: settings.shopId,
        origin: settings.originUrl,
        path: settings.healthPath,
        failures: before.failures,
        paths: before.paths ?? [],
        reason: before.lastError ?? null,
      });
    if (!report.ok) {
      log("warn", "probe_failed", {
        shop: settings.shopId,
        origin: settings.originUrl,
        path: settings.healthPath,
        reason: report.reason,
        status: report.status,
        breaker: record.breaker.state,
      });
      this.#noteError({ at: report.at, reason: report.reason ?? "probe_failed", source: "probe", count: 1 });
    }
    this.#move(tick(record.breaker, now, settings.policy), now, "cooldown");
    this.#move(applyProbe(record.breaker, probeResult(report), now, settings.policy), now, "probe");
  }

  #noteError(error: RecentError): void {
    this.#current.recentErrors = [...this.#current.recentErrors, error].slice(-KEPT_ERRORS);
  }

  #move(next: BreakerState, now: number, cause: Cause): void {
    const record = this.#current;
    const previous = record.breaker;
    record.breaker = next;
    if (previous.state === next.state) return;
    const settings = record.settings!;
    const reason = next.state === "closed" ? null : (next.lastError ?? null);
    this.#store.addTransition(now, previous.state, next.state, cause, reason);
    const fields = {
      scope: "deployment",
      shop: settings.shopId,
      origin: settings.originUrl,
      from: previous.state,
      cause,
      reason,
    };
    log(next.state === "open" ? "warn" : "info", transitionEvent(next.state), fields);
    this.ctx.waitUntil(
      originHooks().breakerTransition(this.env, settings.shopId, { to: next.state, origin: settings.originUrl }),
    );
    // An outage is the breaker leaving closed until it closes again (open and half-open in between).
    if (settings.incidentMinS !== undefined && (previous.state === "closed" || next.state === "closed"))
      this.#reportIncident({
        shopId: settings.shopId,
        kind: "outage",
        phase: next.state === "closed" ? "ended" : "began",
        at: now,
        minS: settings.incidentMinS,
      });

    if (next.state !== "closed") {
      record.slowStart = null;
    } else if (previous.state === "half-open") {
      record.slowStart = settings.slowStartMs > 0 ? { startedAt: now, durationMs: settings.slowStartMs } : null;
      record.drainPending = settings.drainsOrders;
      log("info", "origin_recovered", {
        shop: settings.shopId,
        origin: settings.originUrl,
        downForMs: now - previous.downSince,
        slowStartMs: settings.slowStartMs,
        drainsOrders: settings.drainsOrders,
      });
    }
  }

  /** One alarm for the next thing due: a probe, or the end of a slow start. */
  async #schedule(now: number): Promise<void> {
    if (this.#probeOut !== null) return;
    const record = this.#current;
    const wakes: number[] = [];
    const probeAt =
      record.settings && this.#probing(now)
        ? nextProbeAt(record.breaker, record.probes.last?.at ?? null, record.settings.probe)
        : null;
    if (probeAt !== null) wakes.push(probeAt);
    if (record.slowStart) wakes.push(slowStartEndsAt(record.slowStart));
    if (wakes.length === 0) return;
    const at = Math.max(now, Math.min(...wakes));
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }
}
