import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import worker from "../../src/index";
import { forgetOriginHealth } from "../../src/origin/health";
import { ADMIN, monitoredOriginPerTest } from "../support/monitored-origin";
import type { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

let origin: FakeOrigin;
monitoredOriginPerTest((started) => (origin = started));

/**
 * The breaker as easy to open as it gets (BREAKER_FAILURES 1), a long cooldown
 * so an opened breaker stays open for the test, and no idle probes: the only
 * probes are the ones shopper failures ask for.
 */
function envFor(overrides: Record<string, string> = {}): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "300",
    BREAKER_FAILURES: "1",
    BREAKER_COOLDOWN_MS: "60000",
    HEALTH_PATH: "/healthz",
    PROBE_INTERVAL_MS: "60000",
    PROBE_IDLE_INTERVAL_MS: "0",
    SLOW_START_MS: "0",
    ...overrides,
  });
}

async function get(env: Env, path: string): Promise<{ status: number; source: string | null; body: string }> {
  const response = await dispatch(`https://shop.test${path}`, env, { headers: { accept: "text/html" } });
  return { status: response.status, source: response.headers.get("x-stayopen-source"), body: await response.text() };
}

type AdminStatus = {
  origin: { state: string; breaker: { state: string }; transitions: { from: string; to: string; cause: string }[] };
};
async function adminStatus(env: Env): Promise<AdminStatus> {
  return (await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: ADMIN })).json();
}
async function publicOrigin(env: Env): Promise<string> {
  return ((await (await dispatch("https://shop.test/__stayopen/status.json", env)).json()) as { origin: string })
    .origin;
}

const healthProbes = async () => (await origin.requests("/healthz")).length;

describe("one URL failing while the shop is healthy", () => {
  it("never opens the breaker for a URL answering 500, however often: that URL gets its snapshot, the rest the origin", async () => {
    const env = envFor();
    // A product page that worked once (so it has a snapshot), then broke; another that never worked.
    expect((await get(env, "/p/broken")).source).toBe("origin");
    await origin.route("/p/broken", { status: 500, body: "<h1>boom</h1>" });
    await origin.route("/p/never-worked", { status: 500, body: "<h1>boom</h1>" });

    for (let i = 0; i < 20; i++) {
      const broken = await get(env, "/p/broken");
      expect(broken).toMatchObject({ status: 200, source: "stale" });
      expect(broken.body).toContain("Page /p/broken");
    }
    const crowd = await Promise.all(Array.from({ length: 10 }, () => get(env, "/p/never-worked")));
    for (const answer of crowd) expect(answer).toMatchObject({ status: 503, source: "maintenance" });

    for (const path of ["/", "/c/tea", "/p/fine"]) expect((await get(env, path)).source).toBe("origin");
    // A fresh isolate learns the shared state: the shop is open.
    forgetOriginHealth();
    expect((await get(env, "/c/coffee")).source).toBe("origin");
    expect((await adminStatus(env)).origin.breaker.state).toBe("closed");
    expect(await publicOrigin(env)).toBe("up");
    // The first failure asked the health path once; thirty more did not make the monitor hammer the origin.
    expect(await healthProbes()).toBe(1);
  });

  it("never opens the breaker for a search that times out, whatever the terms", async () => {
    const env = envFor({ BREAKER_FAILURES: "3" });
    await origin.route("/search", { delayMs: 2000, body: "<h1>results</h1>" });

    for (let i = 0; i < 6; i++) {
      const started = performance.now();
      const search = await dispatch(`https://shop.test/search?q=term-${i}`, env, {
        headers: { accept: "application/json" },
      });
      expect(search.status).toBe(503);
      expect(await search.json()).toMatchObject({ error: "origin_unavailable" });
      expect(performance.now() - started).toBeLessThan(1500);
    }
    for (const path of ["/", "/c/tea"]) expect((await get(env, path)).source).toBe("origin");
    forgetOriginHealth();
    expect((await get(env, "/c/gear")).source).toBe("origin");
    expect((await adminStatus(env)).origin.breaker.state).toBe("closed");
  });
});

describe("a real outage", () => {
  it("opens at the first failure once the health probe fails too, and says down", async () => {
    const env = envFor({ BREAKER_FAILURES: "3" });
    await origin.setMode({ mode: "status", status: 502 });
    expect((await get(env, "/p/first")).source).toBe("maintenance");

    // The next shopper, here or in another isolate, is not sent to the origin.
    const before = (await origin.requests()).length;
    expect((await get(env, "/p/second")).source).toBe("maintenance");
    forgetOriginHealth();
    expect((await get(env, "/p/third")).source).toBe("maintenance");
    expect(await origin.requests()).toHaveLength(before);
    const status = await adminStatus(env);
    expect(status.origin.breaker.state).toBe("open");
    expect(status.origin.transitions[0]).toMatchObject({ from: "closed", to: "open", cause: "probe" });
    expect(await publicOrigin(env)).toBe("down");
  });

  it("says down right after the shop died although only an order failed, not degraded", async () => {
    const env = envFor({ BREAKER_FAILURES: "3" });
    expect(await publicOrigin(env)).toBe("up");
    await origin.setMode({ mode: "refuse" });
    const order = await dispatch("https://shop.test/api/orders", env, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "beans", qty: 1 }),
    });
    expect(order.status).toBe(202);
    expect(await publicOrigin(env)).toBe("down");
  });

  it("opens on failures over BREAKER_MIN_PATHS distinct paths before the health probe answers", async () => {
    const env = envFor({ BREAKER_FAILURES: "3", BREAKER_MIN_PATHS: "3", PROBE_TIMEOUT_MS: "5000" });
    // The health path is slow but fine: its probe answers long after the shoppers' failures.
    await origin.route("/healthz", { delayMs: 2500, body: "ok" });
    for (const path of ["/a", "/b", "/c"]) await origin.route(path, { status: 500, body: "<h1>boom</h1>" });

    const started = performance.now();
    const contexts: ExecutionContext[] = [];
    const fetchHere = (path: string) => {
      const ctx = createExecutionContext();
      contexts.push(ctx);
      return worker.fetch(new Request(`https://shop.test${path}`, { headers: { accept: "text/html" } }), env, ctx);
    };
    await Promise.all(["/a", "/b", "/c"].map(fetchHere));
    const next = await fetchHere("/fine");
    expect(next.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await origin.requests("/fine")).toHaveLength(0);

    await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
    // Shared: another isolate keeps shoppers away too, and the good probe that came later did not reopen the shop.
    forgetOriginHealth();
    expect((await get(env, "/fine-2")).source).toBe("maintenance");
    const status = await adminStatus(env);
    expect(status.origin.breaker.state).toBe("open");
    expect(status.origin.transitions[0]).toMatchObject({ from: "closed", to: "open", cause: "traffic" });
  });
});
