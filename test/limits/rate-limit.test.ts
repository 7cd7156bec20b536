import { describe, expect, it } from "vitest";
import { countHit, type Window } from "../../src/limits/counter";
import { clientKey } from "../../src/limits/rate-limit";

const request = (ip?: string) => new Request("https://shop.test/", { headers: ip ? { "cf-connecting-ip": ip } : {} });

describe("rate limit window", () => {
  it("allows `limit` hits per window, then says how long to wait", () => {
    let window: Window | undefined;
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      const step = countHit(window, 3, 60_000, t0 + i * 1000);
      expect(step.hit).toEqual({ allowed: true, remaining: 2 - i });
      window = step.window;
    }
    expect(countHit(window, 3, 60_000, t0 + 10_500).hit).toEqual({ allowed: false, retryAfterS: 50 });
    expect(countHit(window, 3, 60_000, t0 + 59_999).hit).toEqual({ allowed: false, retryAfterS: 1 });
  });

  it("starts a fresh window once the old one has passed", () => {
    const full: Window = { startedAt: 0, count: 3 };
    expect(countHit(full, 3, 60_000, 60_000).hit).toEqual({ allowed: true, remaining: 2 });
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
