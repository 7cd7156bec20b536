import type { MonitorDetails } from "../../origin/monitor-view";
import { formatAsOf } from "../../time";

type Transition = MonitorDetails["transitions"][number];
type RecentError = MonitorDetails["recentErrors"][number];

/**
 * Breaker changes in a row that repeat one change or go back and forth
 * between the same two states (a flapping origin: open ↔ half-open), shown
 * as one line. `from`/`to` is the earliest change of the run.
 */
export type TransitionRun = {
  from: string;
  to: string;
  alternating: boolean;
  count: number;
  /** Each distinct "cause (reason)" once, earliest first. */
  causes: string[];
  since: number;
  until: number;
};

/** Identical errors in a row (same reason, same source), shown as one line with their total count. */
export type ErrorRun = { reason: string; source: RecentError["source"]; count: number; since: number; until: number };

/** Cuts a list into runs of consecutive entries, keeping the list's order. */
function runs<T>(entries: readonly T[], joins: (run: readonly T[], next: T) => boolean): T[][] {
  const result: T[][] = [];
  for (const entry of entries) {
    const current = result.at(-1);
    if (current && joins(current, entry)) current.push(entry);
    else result.push([entry]);
  }
  return result;
}

function span(entries: readonly { at: string }[]): { since: number; until: number } {
  const times = entries.map((entry) => Date.parse(entry.at));
  return { since: Math.min(...times), until: Math.max(...times) };
}

const sameChange = (a: Transition, b: Transition) => a.from === b.from && a.to === b.to;
const reverses = (a: Transition, b: Transition) => a.from === b.to && a.to === b.from;

/** A change continues a run when it repeats the change one place back (a repeat) or two places back (a cycle). */
function continuesRun(run: readonly Transition[], next: Transition): boolean {
  const [first, second] = run;
  if (!second) return sameChange(first!, next) || reverses(first!, next);
  const period = reverses(first!, second) ? 2 : 1;
  return sameChange(run[run.length - period]!, next);
}

const causeOf = (transition: Transition) =>
  transition.reason ? `${transition.cause} (${transition.reason})` : transition.cause;

/** The breaker history as the monitor lists it (newest first), with repeats grouped; the order is kept. */
export function groupTransitions(newestFirst: readonly Transition[]): TransitionRun[] {
  return runs(newestFirst, continuesRun).map((run) => {
    const earliest = run.at(-1)!;
    return {
      from: earliest.from,
      to: earliest.to,
      alternating: run.length > 1 && reverses(run[0]!, run[1]!),
      count: run.length,
      causes: [...new Set(run.map(causeOf).reverse())],
      ...span(run),
    };
  });
}

/** Recent errors with identical consecutive ones grouped; the order is kept. */
export function groupErrors(errors: readonly RecentError[]): ErrorRun[] {
  const same = (run: readonly RecentError[], next: RecentError) =>
    run[0]!.reason === next.reason && run[0]!.source === next.source;
  return runs(errors, same).map((run) => ({
    reason: run[0]!.reason,
    source: run[0]!.source,
    count: run.reduce((total, error) => total + error.count, 0),
    ...span(run),
  }));
}

const clock = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  hour12: false,
});

/** "26 Nov 2026, 18:02–18:06 UTC"; one moment as formatAsOf writes it; a span over midnight with both dates. */
export function formatSpan(since: number, until: number): string {
  const [start, end] = [formatAsOf(since), formatAsOf(until)];
  if (start === end) return start;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (day(since) !== day(until)) return `${start} – ${end}`;
  return `${start.slice(0, -" UTC".length)}–${clock.format(until)} UTC`;
}
