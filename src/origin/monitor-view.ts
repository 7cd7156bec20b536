import { healthLabel, type BreakerState, type OriginHealthLabel } from "./breaker";
import type { MonitorRecord, RecentError } from "./monitor-record";
import type { TransitionRow } from "./monitor-store";
import type { ProbeReport } from "./probe";
import { slowStartShare } from "./slow-start";
import { iso } from "../time";

/** What the operator sees of one origin's monitor (GET /__stayopen/admin/origins, the dashboard). */

export type Transition = { at: string; from: string; to: string; cause: string; reason: string | null };

export type BreakerView = {
  state: BreakerState["state"];
  since: string;
  /** When the current outage began, while shoppers are kept away. */
  downSince: string | null;
  failures: number;
  probeFailures: number;
  goodProbes: number;
  lastError: string | null;
};

/** The operator's view; every time is ISO 8601. */
export type MonitorDetails = {
  state: OriginHealthLabel;
  breaker: BreakerView;
  slowStart: { startedAt: string; durationMs: number; share: number } | null;
  probes: {
    total: number;
    failed: number;
    last: (Omit<ProbeReport, "at"> & { at: string }) | null;
    nextAt: string | null;
  };
  recentErrors: (Omit<RecentError, "at"> & { at: string })[];
  transitions: Transition[];
  lastReportAt: string | null;
};

function breakerView(breaker: BreakerState): BreakerView {
  return {
    state: breaker.state,
    since: iso(breaker.since),
    downSince: breaker.state === "closed" ? null : iso(breaker.downSince),
    failures: breaker.state === "closed" ? breaker.failures : 0,
    probeFailures: breaker.state === "closed" ? breaker.probeFailures : 0,
    goodProbes: breaker.state === "half-open" ? breaker.goodProbes : 0,
    lastError: breaker.lastError ?? null,
  };
}

/** The record as the operator sees it at `now`, with the next probe time, the stored transitions and the last report. */
export function monitorDetails(
  record: MonitorRecord,
  now: number,
  nextAt: number | null,
  rows: TransitionRow[],
  lastReportAt: number | null,
): MonitorDetails {
  const share = slowStartShare(record.slowStart, now);
  const transitions = rows.map((row) => ({
    at: iso(row.at),
    from: row.from_state,
    to: row.to_state,
    cause: row.cause,
    reason: row.reason,
  }));
  const { probes, slowStart } = record;
  return {
    state: healthLabel(record.breaker),
    breaker: breakerView(record.breaker),
    slowStart: slowStart && { startedAt: iso(slowStart.startedAt), durationMs: slowStart.durationMs, share },
    probes: {
      total: probes.total,
      failed: probes.failed,
      last: probes.last && { ...probes.last, at: iso(probes.last.at) },
      nextAt: nextAt === null ? null : iso(nextAt),
    },
    recentErrors: record.recentErrors.map((error) => ({ ...error, at: iso(error.at) })),
    transitions,
    lastReportAt: lastReportAt === null ? null : iso(lastReportAt),
  };
}
