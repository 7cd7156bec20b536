import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { COUNTER_SHARDS, counterShard, takeRequests, type Window } from "../../src/limits/counter";
import { clientKey } from "../../src/limits/rate-limit";

const request = (ip?: string) => new Request("https://shop.test/", { headers: ip ? { "cf-connecting-ip": ip } : {} });

describe("rate limit window", () => {
  it("grants `limit` requests per window, then says how long until it ends", () => {
    let window: Window | undefined;
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      const step = takeRequests(window, 3, 60_000, 1, t0 + i * 1000);
      expect(step.grant).toEqual({ allowed: true, granted: 1, resetInMs: 60_000 - i * 1000 });
      window = step.window;
    }
    expect(takeRequests(window, 3, 60_000, 1, t0 + 10_500).grant).toEqual({ allowed: false, resetInMs: 49_500 });
    expect(takeRequests(window, 3, 60_000, 1, t0 + 59_999).grant).toEqual({ allowed: false, resetInMs: 1 });
  });

  it("grants several at once, never more than the window has left", () => {
    const first = takeRequests(undefined, 5, 60_000, 2, 0);
    expect(first.grant).toEqual({ allowed: true, granted: 2, resetInMs: 60_000 });
    const second = takeRequests(first.window, 5, 60_000, 2, 10);
    const third = takeRequests(second.window, 5, 60_000, 2, 20);
    expect(third.grant).toEqual({ allowed: true, granted: 1, resetInMs: 59_980 });
    expect(third.window.count).toBe(5);
    expect(takeRequests(third.window, 5, 60_000, 2, 30).grant.allowed).toBe(false);
  });

  it("starts a fresh window once the old one has passed", () => {
    const full: Window = { startedAt: 0, count: 3 };
    expect(takeRequests(full, 3, 60_000, 1, 60_000).grant).toEqual({ allowed: true, granted: 1, resetInMs: 60_000 });
  });
});

describe("rate limit counters", () => {
  it("spread clients evenly over the shards, each client always to the same one", () => {
    const perShard = Array<number>(COUNTER_SHARDS).fill(0);
    for (let i = 0; i < 1600; i++) perShard[counterShard(`198.51.${i >> 8}.${i & 255}`)]! += 1;
    expect(Math.min(...perShard)).toBeGreaterThan(60);
    expect(Math.max(...perShard)).toBeLessThan(140);
    expect(counterShard("203.0.113.9")).toBe(counterShard("203.0.113.9"));
  });

  it("keep a window per client in one object, and start a fresh one when it ends", async () => {
    const counter = env.RATE_LIMITER.getByName("test-counter");
    expect(await counter.take("a", 1, 60_000, 1, 0)).toEqual({ allowed: true, granted: 1, resetInMs: 60_000 });
    expect(await counter.take("a", 1, 60_000, 1, 10)).toEqual({ allowed: false, resetInMs: 59_990 });
    expect(await counter.take("b", 1, 60_000, 1, 10)).toEqual({ allowed: true, granted: 1, resetInMs: 60_000 });
    expect(await counter.take("a", 1, 60_000, 1, 60_000)).toEqual({ allowed: true, granted: 1, resetInMs: 60_000 });
    expect(await counter.take("b", 1, 60_000, 1, 60_005)).toEqual({ allowed: false, resetInMs: 5 });
  });
});

describe("rate limit client key", () => {
  it("keys IPv4 clients by address", () => {
    expect(clientKey(request("203.0.113.9"))).toBe("203.0.113.9");
    expect(clientKey(request("::ffff:203.0.113.9"))).toBe("203.0.113.9");
  });

  it("groups IPv6 clients by their /64, however the address is written", () => {
    const key = "2001:db8:0:1::/64";
    expect(clientKey(request("2001:db8:0:1::1"))).toBe(key);
    expect(clientKey(request("2001:0db8:0000:0001:ffff:ffff:ffff:ffff"))).toBe(key);
    expect(clientKey(request("2001:DB8:0:1:a:b:c:d"))).toBe(key);
    expect(clientKey(request("2001:db8::1"))).toBe("2001:db8:0:0::/64");
    expect(clientKey(request("2001:db8:0:2::1"))).not.toBe(key);
  });

  it("puts requests without CF-Connecting-IP (local development) in one bucket", () => {
    expect(clientKey(request())).toBe("unknown");
  });
});
