import { describe, expect, it } from "vitest";
import { takeRequests, type Window } from "../../src/limits/counter";
import { leaseSize, Leases } from "../../src/limits/leases";

const WINDOW_MS = 60_000;

/** One isolate in front of the shared counter, as the middleware drives them. */
function isolate(counter: { window?: Window; calls: number }, limit: number) {
  const leases = new Leases();
  return (key: string, now: number) => {
    const local = leases.use(key, now);
    if (local !== "ask") return local;
    counter.calls += 1;
    const { window, grant } = takeRequests(counter.window, limit, WINDOW_MS, leaseSize(limit), now);
    counter.window = window;
    return leases.record(key, grant, now);
  };
}

describe("rate limit leases", () => {
  it("takes a tenth of the limit at a time, at least one and at most a hundred", () => {
    expect(leaseSize(20)).toBe(2);
    expect(leaseSize(1_000)).toBe(100);
    expect(leaseSize(100_000)).toBe(100);
    expect(leaseSize(5)).toBe(1);
    expect(leaseSize(1)).toBe(1);
  });

  it("allows exactly the limit from one isolate, with one counter call per lease", () => {
    const counter = { calls: 0 };
    const hit = isolate(counter, 25);
    const decisions = Array.from({ length: 30 }, (_, i) => hit("client", 1000 + i));
    expect(decisions.filter((d) => d === "allowed")).toHaveLength(25);
    expect(decisions.slice(25)).toEqual(Array(5).fill({ refused: true, retryAfterS: 60 }));
    // 12 leases of 2, one of the last 1, one refusal; the refusals after it are answered locally.
    expect(counter.calls).toBe(14);
  });

  it("never lets isolates together exceed the limit", () => {
    const counter = { calls: 0 };
    const isolates = [isolate(counter, 20), isolate(counter, 20), isolate(counter, 20)];
    let allowed = 0;
    for (let i = 0; i < 60; i++) if (isolates[i % 3]!("client", 1000 + i) === "allowed") allowed += 1;
    expect(allowed).toBeLessThanOrEqual(20);
    expect(allowed).toBeGreaterThanOrEqual(20 - 3 * (leaseSize(20) - 1));
  });

  it("adds up grants that overlap, so requests that asked at the same time lose none of them", () => {
    const leases = new Leases();
    const grant = { allowed: true as const, granted: 4, resetInMs: 50_000 };
    // Two requests found the lease empty and both asked: each takes one of its grant, the rest is kept.
    expect(leases.record("client", grant, 1000)).toBe("allowed");
    expect(leases.record("client", grant, 1001)).toBe("allowed");
    const local = Array.from({ length: 7 }, (_, i) => leases.use("client", 1002 + i));
    expect(local).toEqual([...Array(6).fill("allowed"), "ask"]);
    // A refusal that comes back while a lease is still held spends the lease first.
    leases.record("client", grant, 2000);
    expect(leases.record("client", { allowed: false, resetInMs: 40_000 }, 2001)).toBe("allowed");
    expect(leases.use("client", 2002)).toBe("allowed");
    expect(leases.use("client", 2003)).toBe("allowed");
    expect(leases.use("client", 2004)).toBe("ask");
  });

  it("asks the counter again once the window is over", () => {
    const counter = { calls: 0 };
    const hit = isolate(counter, 2);
    expect([hit("client", 0), hit("client", 1), hit("client", 2)]).toEqual([
      "allowed",
      "allowed",
      { refused: true, retryAfterS: 60 },
    ]);
    expect(hit("client", 59_999)).toEqual({ refused: true, retryAfterS: 1 });
    expect(hit("client", WINDOW_MS)).toBe("allowed");
  });

  it("keeps clients apart", () => {
    const leases = new Leases();
    leases.record("a", { allowed: false, resetInMs: 30_000 }, 0);
    expect(leases.use("b", 1)).toBe("ask");
    expect(leases.use("a", 1)).toEqual({ refused: true, retryAfterS: 30 });
  });

  it("stays bounded: expired entries go first, then the oldest", () => {
    const leases = new Leases();
    for (let i = 0; i < 10_000; i++)
      leases.record(`old-${i}`, { allowed: false, resetInMs: i < 5_000 ? 10 : 60_000 }, 0);
    leases.record("new", { allowed: false, resetInMs: 60_000 }, 1_000);
    expect(leases.size).toBe(5_001);
    expect(leases.use("old-4999", 1_000)).toBe("ask");
    expect(leases.use("old-5000", 1_000)).toEqual({ refused: true, retryAfterS: 59 });
    // Full again within the second: no sweep, the oldest entry makes room.
    for (let i = 0; i < 5_000; i++) leases.record(`more-${i}`, { allowed: false, resetInMs: 60_000 }, 1_000);
    expect(leases.size).toBe(10_000);
    expect(leases.use("new", 1_001)).toEqual({ refused: true, retryAfterS: 60 });
    expect(leases.use("old-5000", 1_001)).toBe("ask");
  });
});
