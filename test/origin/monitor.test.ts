import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { monitorSettings } from "../../src/origin/sync";
import { fastBreakerEnv } from "../support/breaker";
import { ADMIN, monitorOf, monitoredOriginPerTest, stopMonitoredOrigin } from "../support/monitored-origin";
import { FakeOrigin } from "../support/origin";
import { dispatch, type EnvOverrides } from "../support/worker";
import { varsShop } from "../../src/config/shop";

let origin: FakeOrigin;
monitoredOriginPerTest((started) => (origin = started));
const monitor = () => monitorOf(origin);
/** What shoppers sent the origin: everything but the monitor's probes of HEALTH_PATH. */
const shopperRequests = async () => (await origin.requests()).filter((request) => request.path !== "/healthz");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Probes only run when a test runs the monitor's alarm; the breaker opens on the first failure. */
const envFor = (overrides: EnvOverrides = {}) => fastBreakerEnv(origin.url, overrides);

type AdminStatus = {
  origin: {
    url: string;
    state: string;
    breaker: { state: string; since: string; failures: number; goodProbes: number; lastError: string | null };
    slowStart: { share: number } | null;
    probes: { total: number; failed: number; last: { ok: boolean; status?: number } | null };
    recentErrors: { reason: string; source: string }[];
    transitions: { from: string; to: string; cause: string }[];
  };
  mode: string;
};

async function adminStatus(env: Env): Promise<AdminStatus> {
  return (await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: ADMIN })).json();
}

async function publicStatus(env: Env): Promise<{ origin: string; mode: string; since: string }> {
  return (await dispatch("https://shop.test/__stayopen/status.json", env)).json();
}

async function timed(url: string, env: Env): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await dispatch(url, env);
  await response.arrayBuffer();
  return { response, ms: performance.now() - started };
}

describe("one breaker for the whole deployment", () => {
  it("shows an isolate that never saw a failure the open breaker, without it touching the origin", async () => {
    const env = envFor({ BREAKER_FAILURES: "2", BREAKER_COOLDOWN_MS: "60000" });
    await origin.setMode({ mode: "status", status: 502 });
    // The first failure's confirmation probe fails too: the breaker opens before /b goes out.
    for (const path of ["/a", "/b"]) expect((await dispatch(`https://shop.test${path}`, env)).status).toBe(503);
    expect(await shopperRequests()).toHaveLength(1);

    forgetOriginHealth();
    const response = await dispatch("https://shop.test/c", env);
    expect(response.status).toBe(503);
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(await shopperRequests()).toHaveLength(1);

    const status = await adminStatus(env);
    expect(status.origin.state).toBe("down");
    expect(status.origin.breaker).toMatchObject({ state: "open", lastError: "status_502" });
    expect(status.origin.recentErrors).toContainEqual(
      expect.objectContaining({ reason: "status_502", source: "traffic" }),
    );
    expect(status.origin.transitions[0]).toMatchObject({ from: "closed", to: "open", cause: "probe" });
    expect((await publicStatus(env)).origin).toBe("down");
  });

  it("answers at once while the breaker is open, though the origin hangs", async () => {
    const env = envFor({ BREAKER_COOLDOWN_MS: "60000" });
    await origin.setMode({ mode: "hang" });
    const first = await timed("https://shop.test/hang-1", env);
    expect(first.response.status).toBe(503);
    expect(first.ms).toBeGreaterThanOrEqual(1000);

    const sameIsolate = await timed("https://shop.test/hang-2", env);
    expect(sameIsolate.response.status).toBe(503);
    expect(sameIsolate.ms).toBeLessThan(500);

    forgetOriginHealth();
    const freshIsolate = await timed("https://shop.test/hang-3", env);
    expect(freshIsolate.response.status).toBe(503);
    expect(freshIsolate.ms).toBeLessThan(500);
    expect(await shopperRequests()).toHaveLength(1);
  });
});

describe("health probes", () => {
  it("closes on one good probe by default: one probe decides", async () => {
    const env = envFor();
    await origin.setMode({ mode: "status", status: 502 });
    await dispatch("https://shop.test/down-once", env);
    await origin.setMode({ mode: "ok" });
    await sleep(350);

    expect(await runDurableObjectAlarm(monitor())).toBe(true);
    const status = await adminStatus(env);
    expect(status.origin.breaker.state).toBe("closed");
    // The first probe confirmed the outage; the second one decided the recovery.
    expect(status.origin.probes).toMatchObject({ total: 2, failed: 1, last: { ok: true } });
    forgetOriginHealth();
    expect((await dispatch("https://shop.test/back-once", env)).headers.get("x-stayopen-source")).toBe("origin");
  });

  it("recovers only after PROBE_HEALTHY_THRESHOLD good probes, then sends shoppers to the origin again", async () => {
    const env = envFor({ PROBE_HEALTHY_THRESHOLD: "2" });
    await origin.setMode({ mode: "status", status: 502 });
    await dispatch("https://shop.test/down", env);
    await origin.setMode({ mode: "ok" });
    await sleep(350);

    expect(await runDurableObjectAlarm(monitor())).toBe(true);
    expect((await adminStatus(env)).origin.breaker).toMatchObject({ state: "half-open", goodProbes: 1 });
    forgetOriginHealth();
    expect((await dispatch("https://shop.test/still-waiting", env)).status).toBe(503);
    expect(await origin.requests("/still-waiting")).toHaveLength(0);

    expect(await runDurableObjectAlarm(monitor())).toBe(true);
    const status = await adminStatus(env);
    expect(status.origin.breaker.state).toBe("closed");
    expect(status.origin.transitions.slice(0, 2).map((t) => `${t.from}>${t.to}:${t.cause}`)).toEqual([
      "half-open>closed:probe",
      "open>half-open:cooldown",
    ]);
    expect(status.origin.probes).toMatchObject({ total: 3, failed: 1, last: { ok: true, status: 200 } });

    forgetOriginHealth();
    const back = await dispatch("https://shop.test/back", env);
    expect(back.status).toBe(200);
    expect(back.headers.get("x-stayopen-source")).toBe("origin");
    const probes = await origin.requests("/healthz");
    expect(probes).toHaveLength(3);
    expect(probes[0]!.headers["user-agent"]).toBe("stayopen-health-probe");
    expect((await publicStatus(env)).origin).toBe("up");
  });

  it("goes back to open on a failed probe while half-open, and waits out a new cooldown", async () => {
    const env = envFor({ PROBE_HEALTHY_THRESHOLD: "2" });
    await origin.setMode({ mode: "status", status: 503 });
    await dispatch("https://shop.test/down", env);
    await origin.setMode({ mode: "ok" });
    await sleep(350);
    await runDurableObjectAlarm(monitor());
    await origin.setMode({ mode: "status", status: 500 });
    await runDurableObjectAlarm(monitor());

    let status = await adminStatus(env);
    expect(status.origin.breaker).toMatchObject({ state: "open", lastError: "status_500" });
    expect(status.origin.transitions[0]).toMatchObject({ from: "half-open", to: "open", cause: "probe" });

    await origin.setMode({ mode: "ok" });
    await runDurableObjectAlarm(monitor());
    status = await adminStatus(env);
    expect(status.origin.breaker.state).toBe("open");
    expect(status.origin.probes).toMatchObject({ total: 4, failed: 2 });
  });

  it("opens on consecutive failed probes while no shopper is around", async () => {
    const env = envFor({ PROBE_IDLE_INTERVAL_MS: "60000", PROBE_UNHEALTHY_THRESHOLD: "2" });
    expect((await dispatch("https://shop.test/quiet", env)).status).toBe(200);
    await origin.setMode({ mode: "status", status: 502 });

    await runDurableObjectAlarm(monitor());
    expect((await adminStatus(env)).origin).toMatchObject({ state: "degraded", breaker: { state: "closed" } });
    await runDurableObjectAlarm(monitor());
    expect((await adminStatus(env)).origin.breaker).toMatchObject({ state: "open", lastError: "status_502" });

    forgetOriginHealth();
    const before = (await origin.requests()).length;
    expect((await dispatch("https://shop.test/quiet-2", env)).status).toBe(503);
    expect(await origin.requests()).toHaveLength(before);
  });
});

describe("after a recovery", () => {
  async function recover(env: Env): Promise<void> {
    await origin.setMode({ mode: "status", status: 502 });
    await dispatch("https://shop.test/breaks", env);
    await origin.setMode({ mode: "ok" });
    await sleep(350);
    await runDurableObjectAlarm(monitor());
    forgetOriginHealth();
  }

  it("ramps a crowd's catalog reads back: some from snapshots, pages without one from the origin, never a 503", async () => {
    const env = envFor({ SLOW_START_MS: "600000", PROBE_HEALTHY_THRESHOLD: "1" });
    await origin.route("/c/ramp", {
      headers: { "content-type": "text/html", "cache-control": "max-age=0" },
      body: "<html><body>ramp</body></html>",
    });
    expect((await dispatch("https://shop.test/c/ramp", env)).headers.get("x-stayopen-source")).toBe("origin");
    await recover(env);

    // Twenty shoppers at once: the origin gets its share, the rest their snapshot.
    const crowd = await Promise.all(Array.from({ length: 20 }, () => dispatch("https://shop.test/c/ramp", env)));
    expect(crowd.every((response) => response.status === 200)).toBe(true);
    const sources = crowd.map((response) => response.headers.get("x-stayopen-source"));
    expect(sources).toContain("stale");
    expect(sources).toContain("origin");
    const pages = await Promise.all(
      Array.from({ length: 5 }, (_, i) => dispatch(`https://shop.test/never-kept-${i}`, env)),
    );
    for (const response of pages) {
      expect(response.status).toBe(200);
      expect(response.headers.get("x-stayopen-source")).toBe("origin");
    }

    // One shopper at a time is never shed: the origin is usable, so a lone request goes there.
    for (let i = 0; i < 10; i++)
      expect((await dispatch("https://shop.test/c/ramp", env)).headers.get("x-stayopen-source")).toBe("origin");
    expect((await publicStatus(env)).origin).toBe("up");
    const slowStart = (await adminStatus(env)).origin.slowStart!;
    expect(slowStart.share).toBeLessThan(0.2);
  });

  it("starts draining queued orders once the origin is back", async () => {
    const env = envFor({
      PROBE_HEALTHY_THRESHOLD: "1",
      ORDER_SHARDS: "1",
      ORDER_RETRY_BASE_MS: "600000",
      ORDER_RETRY_MAX_MS: "600000",
    });
    await origin.setMode({ mode: "status", status: 502 });
    await dispatch("https://shop.test/breaks", env);
    const queued = await dispatch("https://shop.test/api/orders", env, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "beans", qty: 1 }),
    });
    expect(queued.status).toBe(202);
    // Left alone, the queue would make its first attempt one backoff (ten minutes) from now.
    expect(await origin.requests("/api/orders")).toHaveLength(0);

    await origin.setMode({ mode: "ok" });
    await sleep(350);
    await runDurableObjectAlarm(monitor());
    forgetOriginHealth();
    await dispatch("https://shop.test/anything", env);

    for (let i = 0; i < 60 && (await origin.requests("/api/orders")).length === 0; i++) await sleep(50);
    const deliveries = await origin.requests("/api/orders");
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.headers["idempotency-key"]).toBeTruthy();
  });
});

describe("probe schedule", () => {
  it("probes once per PROBE_INTERVAL_MS while traffic reports come in during a slow probe", async () => {
    const env = envFor({ PROBE_INTERVAL_MS: "3000", PROBE_TIMEOUT_MS: "600", BREAKER_COOLDOWN_MS: "600000" });
    await origin.setMode({ mode: "status", status: 502 });
    await dispatch("https://shop.test/opens-the-breaker", env);
    await origin.setMode({ mode: "hang" });
    const shop = varsShop(env);
    // As the runtime runs an alarm: no longer scheduled while its handler runs.
    const runAlarm = () =>
      runInDurableObject(monitor(), async (instance, state) => {
        await state.storage.deleteAlarm();
        await instance.alarm();
      });

    await runAlarm();
    await sleep(3000);
    const probesBefore = (await origin.requests("/healthz")).length;
    const secondProbeAt = Date.now();
    const probing = runAlarm();
    await sleep(200);
    // An isolate's report arrives while the probe waits for the hanging origin.
    await monitor().exchange(monitorSettings(shop, origin.url), { successes: 0, failures: 0, trailingFailures: 0 });
    await probing;

    // The runtime runs an alarm that is due at once: a second probe would show up within this second.
    await sleep(1000);
    expect((await origin.requests("/healthz")).length - probesBefore).toBe(1);
    // The next one is due PROBE_INTERVAL_MS after this one started, not at the time the report found.
    const next = await runInDurableObject(monitor(), (_instance, state) => state.storage.getAlarm());
    expect(next! - secondProbeAt).toBeGreaterThanOrEqual(3000);
  });
});

describe("after ORIGIN_URL changes", () => {
  it("never probes the origin it replaced again", async () => {
    const env = envFor({ PROBE_IDLE_INTERVAL_MS: "60000" });
    expect((await dispatch("https://shop.test/before", env)).status).toBe(200);
    // The old origin's monitor has its next idle probe scheduled.
    expect(await runInDurableObject(monitor(), (_instance, state) => state.storage.getAlarm())).not.toBeNull();

    const replacement = await FakeOrigin.start();
    const moved = envFor({ ORIGIN_URL: replacement.url, PROBE_IDLE_INTERVAL_MS: "60000" });
    try {
      expect((await dispatch("https://shop.test/after", moved)).headers.get("x-stayopen-source")).toBe("origin");
      expect(await runDurableObjectAlarm(monitor())).toBe(false);
      expect(await origin.requests("/healthz")).toHaveLength(0);
      expect(await replacement.requests("/after")).toHaveLength(1);
    } finally {
      await stopMonitoredOrigin(replacement);
    }
  });
});
