import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import worker from "../../src/index";
import { forgetOriginHealth } from "../../src/origin/health";
import { ADMIN, monitorOf, stopMonitoredOrigin } from "../support/monitored-origin";
import { fastBreakerEnv } from "../support/breaker";
import { FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let primary: FakeOrigin;
let backups: FakeOrigin[];
let page = 0;
const fresh = () => `/failover/${++page}-${crypto.randomUUID().slice(0, 8)}`;

beforeEach(async () => {
  primary = await FakeOrigin.start();
  backups = [await FakeOrigin.start(), await FakeOrigin.start()];
});
afterEach(async () => {
  for (const origin of [primary, ...backups]) await stopMonitoredOrigin(origin);
  forgetOriginHealth();
});

const monitor = monitorOf;

/** The breaker opens on the first failure; probes only run when a test runs a monitor's alarm. */
function envFor(overrides: Record<string, string> = {}, backupConfig = backups.map((b) => ({ url: b.url }))): Env {
  return fastBreakerEnv(primary.url, {
    BACKUP_ORIGINS: JSON.stringify(backupConfig),
    PROBE_HEALTHY_THRESHOLD: "1",
    ...overrides,
  });
}

async function get(env: Env, path: string): Promise<{ status: number; source: string | null; body: string }> {
  const response = await dispatch(`https://shop.test${path}`, env, { headers: { accept: "text/html" } });
  return { status: response.status, source: response.headers.get("x-stayopen-source"), body: await response.text() };
}

type OriginView = { url?: string; state: string; breaker: { state: string }; lastReportAt: string | null };
async function adminStatus(env: Env): Promise<{ origin: OriginView; backups: OriginView[] }> {
  return (await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: ADMIN })).json();
}

/** The primary comes back and its monitor closes the breaker after one good probe; a fresh isolate then learns of it. */
async function recoverPrimary(): Promise<void> {
  await primary.setMode({ mode: "ok" });
  await sleep(350);
  expect(await runDurableObjectAlarm(monitor(primary))).toBe(true);
  forgetOriginHealth();
}

describe("failover to backup origins", () => {
  it("serves from the first backup while the primary is down, marked backup, and keeps it as the snapshot", async () => {
    const env = envFor();
    const path = fresh();
    await backups[0]!.route(path, {
      headers: { "content-type": "text/html" },
      body: "<html><body>from the backup</body></html>",
    });
    await primary.setMode({ mode: "refuse" });

    const served = await get(env, path);
    expect(served).toMatchObject({ status: 200, source: "backup", body: "<html><body>from the backup</body></html>" });
    expect(await backups[1]!.requests()).toHaveLength(0);

    await backups[0]!.setMode({ mode: "refuse" });
    await backups[1]!.setMode({ mode: "refuse" });
    const stale = await get(env, path);
    expect(stale.status).toBe(200);
    expect(stale.source).toBe("stale");
    expect(stale.body).toContain("from the backup");
    expect(stale.body).toContain("data-stayopen-banner");
  });

  it("serves the snapshot when the primary and every backup are down, and the maintenance page without one", async () => {
    const env = envFor();
    const path = fresh();
    expect((await get(env, path)).source).toBe("origin");
    for (const origin of [primary, ...backups]) await origin.setMode({ mode: "status", status: 502 });

    const stale = await get(env, path);
    expect(stale).toMatchObject({ status: 200, source: "stale" });
    expect(stale.body).toContain(`Page ${path}`);
    for (const backup of backups) expect(await backup.requests(path)).toHaveLength(1);

    const missing = await get(env, fresh());
    expect(missing).toMatchObject({ status: 503, source: "maintenance" });
  });

  it("says degraded, not down, on the public status while a backup serves; down once none does", async () => {
    const env = envFor();
    const status = async () =>
      ((await (await dispatch("https://shop.test/__stayopen/status.json", env)).json()) as { origin: string }).origin;
    const metrics = async () =>
      (await dispatch("https://shop.test/__stayopen/admin/metrics", env, { headers: ADMIN })).text();
    await primary.setMode({ mode: "refuse" });
    expect((await get(env, fresh())).source).toBe("backup");
    expect(await status()).toBe("degraded");
    // The metrics say the same, beside the primary's own state and each backup's.
    let text = await metrics();
    expect(text).toMatch(/^stayopen_shop_state\{shop="default",state="degraded"\} 1$/m);
    expect(text).toMatch(/^stayopen_origin_state\{shop="default",state="down"\} 1$/m);
    expect(text).toContain(`stayopen_backup_state{shop="default",origin="${backups[0]!.url}",state="up"} 1`);

    for (const backup of backups) await backup.setMode({ mode: "refuse" });
    expect((await get(env, fresh())).source).toBe("maintenance");
    expect(await status()).toBe("down");
    text = await metrics();
    expect(text).toMatch(/^stayopen_shop_state\{shop="default",state="down"\} 1$/m);
  });

  it("never waits for an origin whose breaker is open", async () => {
    const env = envFor();
    await primary.setMode({ mode: "hang" });
    expect((await get(env, fresh())).source).toBe("backup");

    const started = performance.now();
    const next = await get(env, fresh());
    expect(next.source).toBe("backup");
    expect(performance.now() - started).toBeLessThan(500);
    // One shopper request; the rest is the monitor's probe that confirmed the outage.
    expect((await primary.requests()).filter((request) => request.path !== "/healthz")).toHaveLength(1);
  });

  it("keeps a breaker per origin: a failing backup is passed over while the next one serves", async () => {
    // A cooldown the test cannot outlast: the states read at the end are the ones the failures left.
    const env = envFor({ BREAKER_COOLDOWN_MS: "60000" });
    await primary.setMode({ mode: "refuse" });
    await backups[0]!.setMode({ mode: "status", status: 503 });

    expect((await get(env, fresh())).source).toBe("backup");
    const path = fresh();
    expect((await get(env, path)).source).toBe("backup");
    expect(await backups[0]!.requests(path)).toHaveLength(0);
    expect(await backups[1]!.requests(path)).toHaveLength(1);

    const status = await adminStatus(env);
    expect(status.origin.breaker.state).toBe("open");
    expect(status.backups.map((backup) => [backup.url, backup.breaker.state])).toEqual([
      [backups[0]!.url, "open"],
      [backups[1]!.url, "closed"],
    ]);
  });

  it("sends traffic back to the primary once it recovers: the backup gets no more requests", async () => {
    const env = envFor();
    await primary.setMode({ mode: "refuse" });
    expect((await get(env, fresh())).source).toBe("backup");
    const backupRequests = (await backups[0]!.requests()).length;

    await recoverPrimary();
    for (let i = 0; i < 5; i++) expect((await get(env, fresh())).source).toBe("origin");
    expect(await backups[0]!.requests()).toHaveLength(backupRequests);
  });

  it("where the shop caches at the edge, never serves a backup's copy ahead of the recovered primary", async () => {
    const env = envFor({ SWR_DEFAULT_S: "300" });
    const path = fresh();
    const page = { headers: { "content-type": "text/html", "cache-control": "public, max-age=60" } };
    await backups[0]!.route(path, { ...page, body: "<html><body>backup copy</body></html>" });
    await primary.route(path, { ...page, body: "<html><body>primary copy</body></html>" });
    await primary.setMode({ mode: "refuse" });
    expect(await get(env, path)).toMatchObject({ source: "backup", body: "<html><body>backup copy</body></html>" });

    await recoverPrimary();
    expect(await get(env, path)).toMatchObject({ source: "origin", body: "<html><body>primary copy</body></html>" });
  });

  it("during slow start sends the primary's shed share to a healthy backup, never a 503", async () => {
    const env = envFor({ SLOW_START_MS: "600000" });
    await primary.setMode({ mode: "refuse" });
    await get(env, fresh());
    await recoverPrimary();

    const crowd = await Promise.all(Array.from({ length: 20 }, () => get(env, fresh())));
    expect(crowd.every((served) => served.status === 200)).toBe(true);
    const sources = crowd.map((served) => served.source);
    expect(sources).toContain("backup");
    expect(sources.every((source) => source === "origin" || source === "backup")).toBe(true);
  });

  it("looks again at a backup this isolate last saw down before answering with the outage", async () => {
    const env = envFor({ BREAKER_SYNC_MS: "100" }, [{ url: backups[0]!.url }]);
    await primary.setMode({ mode: "refuse" });
    await backups[0]!.setMode({ mode: "refuse" });
    expect((await get(env, fresh())).source).toBe("maintenance");

    // The backup comes back and its monitor closes the breaker; this isolate's copy still says open.
    await backups[0]!.setMode({ mode: "ok" });
    await sleep(350);
    expect(await runDurableObjectAlarm(monitor(backups[0]!))).toBe(true);
    await sleep(250);

    const path = fresh();
    expect(await get(env, path)).toMatchObject({ status: 200, source: "backup" });
    expect(await backups[0]!.requests(path)).toHaveLength(1);
  });

  it("keeps passing other methods to the primary only", async () => {
    const env = envFor();
    await primary.setMode({ mode: "refuse" });
    const response = await dispatch("https://shop.test/account/settings", env, {
      method: "DELETE",
      headers: { accept: "application/json" },
    });
    expect(response.status).toBe(503);
    for (const backup of backups) expect(await backup.requests("/account/settings")).toHaveLength(0);
  });
});

describe("watching the backups", () => {
  it("has each backup's monitor probing it before any shopper request goes there", async () => {
    const env = envFor({ PROBE_IDLE_INTERVAL_MS: "60000" });
    expect((await get(env, fresh())).source).toBe("origin");
    for (const backup of backups) expect(await backup.requests()).toHaveLength(0);

    const status = await adminStatus(env);
    for (const backup of status.backups) expect(backup.lastReportAt).not.toBeNull();
    for (const backup of backups) {
      expect(await runDurableObjectAlarm(monitor(backup))).toBe(true);
      const probes = await backup.requests("/healthz");
      expect(probes).toHaveLength(1);
      expect(probes[0]!.headers["user-agent"]).toBe("stayopen-health-probe");
    }
  });

  it("has the cron keep the backups' monitors going with no traffic at all", async () => {
    const env = envFor({ PROBE_IDLE_INTERVAL_MS: "60000", SHOP_URL: "" });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    for (const backup of backups) {
      expect(await runDurableObjectAlarm(monitor(backup))).toBe(true);
      expect(await backup.requests("/healthz")).toHaveLength(1);
    }
  });
});
