import type { ProbeConfig } from "../config/schema";
import { initialBreaker, type BreakerPolicy, type BreakerState } from "./breaker";
import type { ProbeReport } from "./probe";
import type { SlowStart } from "./slow-start";

/** What an OriginMonitor keeps about its origin, shared by the Durable Object, its store and its view. */

/** What the monitor needs to know about its origin; isolates send it with every exchange. */
export type MonitorSettings = {
  shopId: string;
  originUrl: string;
  healthPath: string;
  policy: BreakerPolicy;
  probe: ProbeConfig;
  slowStartMs: number;
  /** Whether queued orders go to this origin, so its recovery starts the drain. */
  drainsOrders: boolean;
  /** ORDER_SHARDS: the queue shards a recovery found by the monitor's own probe wakes. */
  orderShards: number;
  /** INCIDENT_MIN_S, for the shop's primary origin only: its outages go into the incident history. */
  incidentMinS?: number;
};

export type RecentError = { at: number; reason: string; source: "traffic" | "probe"; count: number };
export type ProbeStats = { total: number; failed: number; last: ProbeReport | null };

export type MonitorRecord = {
  settings: MonitorSettings | null;
  breaker: BreakerState;
  slowStart: SlowStart | null;
  probes: ProbeStats;
  recentErrors: RecentError[];
  drainPending: boolean;
  /** When an isolate last asked, to the minute: kept coarse so that routine exchanges write nothing. */
  lastSeenAt: number | null;
  /** When shopper failures last sent a confirmation probe: at most one per PROBE_INTERVAL_MS. */
  lastConfirmAt: number | null;
};

export function freshRecord(now: number): MonitorRecord {
  return {
    settings: null,
    breaker: initialBreaker(now),
    slowStart: null,
    probes: { total: 0, failed: 0, last: null },
    recentErrors: [],
    drainPending: false,
    lastSeenAt: null,
    lastConfirmAt: null,
  };
}
