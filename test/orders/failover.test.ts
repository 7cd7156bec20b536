import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { monitorOf, stopMonitoredOrigin } from "../support/monitored-origin";
import { FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { isDelivered, order, orderEnv, postOrder, queueOrder, runAlarmsUntil } from "./helpers";

let primary: FakeOrigin;
let backup: FakeOrigin;

beforeEach(async () => {
  primary = await FakeOrigin.start();
  backup = await FakeOrigin.start();
});
afterEach(async () => {
  for (const origin of [primary, backup]) await stopMonitoredOrigin(origin);
  forgetOriginHealth();
});

const monitor = monitorOf;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const body = (sku: string) => JSON.stringify({ items: [{ sku, qty: 1 }], email: "ada@example.com" });

function envFor(orders: boolean, overrides: Record<string, string> = {}): Env {
  return orderEnv(primary, {
    BACKUP_ORIGINS: JSON.stringify([{ url: backup.url, orders }]),
    BREAKER_FAILURES: "1",
    BREAKER_COOLDOWN_MS: "300",
    HEALTH_PATH: "/healthz",
    PROBE_INTERVAL_MS: "3600000",
    PROBE_IDLE_INTERVAL_MS: "0",
    PROBE_HEALTHY_THRESHOLD: "1",
    SLOW_START_MS: "0",
    ...overrides,
  });
}

/** The primary fails a catalog read, which opens its breaker (BREAKER_FAILURES=1). */
async function primaryDown(env: Env): Promise<void> {
  await primary.setMode({ mode: "status", status: 502 });
  await (await dispatch(`https://shop.test/trip-${crypto.randomUUID()}`, env)).text();
}

describe("orders and backup origins", () => {
  it("never sends an order to a backup without orders:true: it is queued at the edge", async () => {
    const env = envFor(false);
    await primaryDown(env);

    const response = await postOrder(env, "/orders/catalog-only", body("A"), { "idempotency-key": "co-1" });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-stayopen-source")).toBe("queued");
    expect(await backup.requests("/orders/catalog-only")).toHaveLength(0);

    // Nor on replay: with no backup that takes orders, replays wait for the primary.
    await dispatch("https://shop.test/__stayopen/admin/replay", env, {
      method: "POST",
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    });
    await sleep(100);
    expect(await backup.requests("/orders/catalog-only")).toHaveLength(0);
  });

  it("sends the order to a backup with orders:true, with the Idempotency-Key, and passes its answer on", async () => {
    const env = envFor(true);
    await backup.route("/orders/to-backup", {
      status: 201,
      headers: { "content-type": "application/json" },
      body: '{"orderId":"dr-1"}',
    });
    await primaryDown(env);

    const response = await postOrder(env, "/orders/to-backup", body("B"), { "idempotency-key": "to-backup-1" });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-stayopen-source")).toBe("backup");
    expect(await response.json()).toEqual({ orderId: "dr-1" });
    const [received] = await backup.requests("/orders/to-backup");
    expect(received).toMatchObject({ method: "POST", body: body("B") });
    expect(received!.headers["idempotency-key"]).toBe("to-backup-1");
    expect(await primary.requests("/orders/to-backup")).toHaveLength(0);
  });

  it("queues, rather than re-sending to the backup, an order the primary may have received", async () => {
    const env = envFor(true, { BREAKER_FAILURES: "1000" });
    await primary.setMode({ mode: "hang" });

    const response = await postOrder(env, "/orders/ambiguous", body("C"), { "idempotency-key": "ambiguous-1" });
    expect(response.status).toBe(202);
    expect(await primary.requests("/orders/ambiguous")).toHaveLength(1);
    expect(await backup.requests("/orders/ambiguous")).toHaveLength(0);
  });

  it("replays queued orders to a recovered orders:true backup while the primary is still down", async () => {
    const env = envFor(true, { ORDER_SHARDS: "1" });
    await primaryDown(env);
    await backup.setMode({ mode: "status", status: 503 });
    const queued = await queueOrder(env, "/orders/replay-to-backup", body("D"), { "idempotency-key": "replay-dr-1" });
    expect(await backup.requests("/orders/replay-to-backup")).toHaveLength(1);

    await backup.setMode({ mode: "ok" });
    await sleep(350);
    expect(await runDurableObjectAlarm(monitor(backup))).toBe(true);
    forgetOriginHealth();
    // The backup's recovery starts the drain (it takes orders); the primary stays down.
    await (await dispatch("https://shop.test/anything", env)).text();

    const delivered = await runAlarmsUntil(env, queued.reference, isDelivered);
    expect(delivered.state).toBe("delivered");
    const replays = (await backup.requests("/orders/replay-to-backup")).slice(1);
    expect(replays).toHaveLength(1);
    expect(replays[0]!.headers["idempotency-key"]).toBe("replay-dr-1");
    expect(replays[0]!.headers["x-stayopen-reference"]).toBe(queued.reference);
    expect(await primary.requests("/orders/replay-to-backup")).toHaveLength(0);
    expect((await order(env, queued.reference)).attempts).toBe(1);
  });
});
