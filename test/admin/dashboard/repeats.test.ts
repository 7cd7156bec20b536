import { describe, expect, it } from "vitest";
import { formatSpan, groupErrors, groupTransitions } from "../../../src/admin/dashboard/repeats";
import type { MonitorDetails } from "../../../src/origin/monitor-view";

type Transition = MonitorDetails["transitions"][number];
type RecentError = MonitorDetails["recentErrors"][number];

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 18, minute)).toISOString();

/** The span of a run from one minute past 18:00 to another. */
const minutes = (since: number, until = since) => ({ since: Date.parse(at(since)), until: Date.parse(at(until)) });

const change = (minute: number, from: string, to: string, cause: string, reason: string | null): Transition => ({
  at: at(minute),
  from,
  to,
  cause,
  reason,
});

const error = (minute: number, reason: string, source: "traffic" | "probe", count = 1): RecentError => ({
  at: at(minute),
  reason,
  source,
  count,
});

/** One outage as the monitor lists it, newest first: opened at 18:01, flapped, closed at 18:06. */
function outage(cycles: number): Transition[] {
  const flapping: Transition[] = [];
  for (let i = 0; i < cycles; i++) {
    flapping.unshift(change(2 + i, "open", "half-open", "cooldown", "timeout"));
    flapping.unshift(change(2 + i, "half-open", "open", "probe", "timeout"));
  }
  return [
    change(2 + cycles, "half-open", "closed", "probe", null),
    change(2 + cycles, "open", "half-open", "cooldown", "timeout"),
    ...flapping,
    change(1, "closed", "open", "traffic", "timeout"),
  ];
}

describe("groupTransitions", () => {
  it("shows an open ↔ half-open cycle once, with how many changes and from when to when", () => {
    const runs = groupTransitions(outage(4));
    expect(runs).toEqual([
      { from: "half-open", to: "closed", alternating: false, count: 1, causes: ["probe"], ...minutes(6) },
      {
        from: "open",
        to: "half-open",
        alternating: true,
        count: 9,
        causes: ["cooldown (timeout)", "probe (timeout)"],
        ...minutes(2, 6),
      },
      { from: "closed", to: "open", alternating: false, count: 1, causes: ["traffic (timeout)"], ...minutes(1) },
    ]);
  });

  it("keeps every change of the same cycle, whatever its cause and reason, and names each cause once", () => {
    const runs = groupTransitions([
      change(4, "half-open", "open", "traffic", "status_502"),
      change(3, "open", "half-open", "cooldown", "timeout"),
      change(3, "half-open", "open", "probe", "timeout"),
      change(2, "open", "half-open", "cooldown", "timeout"),
    ]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      from: "open",
      to: "half-open",
      count: 4,
      causes: ["cooldown (timeout)", "probe (timeout)", "traffic (status_502)"],
    });
  });

  it("counts the same change repeated as one run that does not alternate", () => {
    const runs = groupTransitions([
      change(3, "closed", "open", "probe", "refused"),
      change(2, "closed", "open", "probe", "refused"),
    ]);
    expect(runs).toEqual([
      expect.objectContaining({
        from: "closed",
        to: "open",
        alternating: false,
        count: 2,
        causes: ["probe (refused)"],
      }),
    ]);
  });

  it("does not join changes that only share one state, nor a cycle with a different pair", () => {
    const runs = groupTransitions([
      change(5, "half-open", "closed", "probe", null),
      change(4, "closed", "half-open", "probe", null),
      change(3, "open", "half-open", "cooldown", "timeout"),
      change(2, "half-open", "open", "probe", "timeout"),
      change(1, "closed", "open", "traffic", "timeout"),
    ]);
    expect(runs.map((run) => [run.from, run.to, run.count])).toEqual([
      ["closed", "half-open", 2],
      ["half-open", "open", 2],
      ["closed", "open", 1],
    ]);
  });

  it("has nothing to group in an empty history", () => {
    expect(groupTransitions([])).toEqual([]);
  });
});

describe("groupErrors", () => {
  it("shows consecutive identical errors once with their total count and time span", () => {
    const errors = [
      error(1, "timeout", "traffic", 3),
      ...[2, 3, 4, 5, 6].map((minute) => error(minute, "timeout", "probe")),
      error(7, "status_502", "probe"),
      error(8, "timeout", "probe"),
    ];
    expect(groupErrors(errors)).toEqual([
      { reason: "timeout", source: "traffic", count: 3, ...minutes(1) },
      { reason: "timeout", source: "probe", count: 5, ...minutes(2, 6) },
      { reason: "status_502", source: "probe", count: 1, ...minutes(7) },
      { reason: "timeout", source: "probe", count: 1, ...minutes(8) },
    ]);
  });
});

describe("formatSpan", () => {
  it("writes one moment once, a span within a day with one date, and a span over midnight in full", () => {
    const t = (day: number, hour: number, minute: number, second = 0) => Date.UTC(2026, 10, day, hour, minute, second);
    expect(formatSpan(t(26, 18, 2), t(26, 18, 2, 40))).toBe("26 Nov 2026, 18:02 UTC");
    expect(formatSpan(t(26, 18, 2), t(26, 18, 6))).toBe("26 Nov 2026, 18:02–18:06 UTC");
    expect(formatSpan(t(26, 23, 58), t(27, 0, 2))).toBe("26 Nov 2026, 23:58 UTC – 27 Nov 2026, 00:02 UTC");
  });
});
