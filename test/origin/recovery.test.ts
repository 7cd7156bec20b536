import { env as testEnv, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { noOutcomes } from "../../src/origin/breaker";
import { monitorSettings, originMonitor } from "../../src/origin/sync";
import { order, orderEnv, queueOrder } from "../orders/helpers";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";

let origin: FakeOrigin;

beforeEach(async () => {
  origin = await FakeOrigin.start();
});
afterEach(async () => {
  await runInDurableObject(originMonitor(testEnv as Env, "default", origin.url), (_instance, state) =>
    state.storage.deleteAlarm(),
  );
  forgetOriginHealth();
  await origin.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A shop whose breaker opens at the first failure and whose isolates sync every 100 ms. */
const quickShop = (overrides: Record<string, string>) =>
  shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "500",
    BREAKER_FAILURES: "1",
    BREAKER_SYNC_MS: "100",
    PROBE_IDLE_INTERVAL_MS: "0",
    SLOW_START_MS: "0",
    ...overrides,
  });

it("recovers by itself: the monitor's own alarm probes the origin until the breaker closes", async () => {
  const env = quickShop({ BREAKER_COOLDOWN_MS: "300", PROBE_INTERVAL_MS: "1000", PROBE_HEALTHY_THRESHOLD: "2" });
  await origin.setMode({ mode: "refuse" });
  expect((await dispatch("https://shop.test/never-stored", env)).status).toBe(503);
  await dispatch("https://shop.test/__stayopen/status.json", env);
  await origin.setMode({ mode: "ok" });

  let status = "";
  for (let i = 0; i < 50 && status !== "up"; i++) {
    await sleep(200);
    status = ((await (await dispatch("https://shop.test/__stayopen/status.json", env)).json()) as { origin: string })
      .origin;
  }
  expect(status).toBe("up");
  expect((await dispatch("https://shop.test/live-again", env)).headers.get("x-stayopen-source")).toBe("origin");
}, 20_000);

it("keeps probing after an upgrade: a record stored by an older version gains the fields it lacks", async () => {
  const env = shopEnv({ ORIGIN_URL: origin.url, BREAKER_COOLDOWN_MS: "300", PROBE_INTERVAL_MS: "1000" });
  const stub = originMonitor(env, "default", origin.url);
  const olderRecord = {
    settings: null,
    breaker: {
      state: "half-open",
      since: Date.now() - 1000,
      downSince: Date.now() - 5000,
      goodProbes: 0,
      lastError: "reset",
    },
    slowStart: null,
    probes: { total: 0, failed: 0, last: null },
    recentErrors: [],
    drainPending: false,
    lastExchangeAt: Date.now() - 60_000,
  };
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS monitor (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)",
    );
    state.storage.sql.exec("INSERT OR REPLACE INTO monitor (id, record) VALUES (1, ?)", JSON.stringify(olderRecord));
  });
  await dispatch("https://shop.test/__stayopen/status.json", env);
  // The half-open record is due for a probe now: the monitor's own alarm sends it. (Reading the alarm
  // instead races with that run, which holds no alarm while it waits for the probe.)
  const probed = async () =>
    (await origin.requests()).some((request) => request.headers["user-agent"] === "stayopen-health-probe");
  for (let i = 0; i < 100 && !(await probed()); i++) await sleep(50);
  expect(await probed()).toBe(true);
}, 20_000);

it("after a quiet spell, an isolate that last saw the origin down asks the monitor before it answers with the outage", async () => {
  const env = quickShop({ BREAKER_COOLDOWN_MS: "200", PROBE_INTERVAL_MS: "500" });
  await origin.setMode({ mode: "refuse" });
  const down = await dispatch("https://shop.test/quiet-1", env);
  expect(down.status, await down.clone().text()).toBe(503);
  // The monitor hears of the outage and recovers by itself, without any shopper request here.
  const monitor = originMonitor(env, "default", origin.url);
  const shop = varsShop(env);
  let state = "";
  for (let i = 0; i < 20 && state !== "open"; i++) {
    await sleep(50);
    state = (await monitor.exchange(monitorSettings(shop, origin.url), noOutcomes)).shared.breaker.state;
  }
  expect(state).toBe("open");
  await origin.setMode({ mode: "ok" });
  for (let i = 0; i < 60 && state !== "closed"; i++) {
    await sleep(100);
    state = (await monitor.exchange(monitorSettings(shop, origin.url), noOutcomes)).shared.breaker.state;
  }
  expect(state).toBe("closed");
  await sleep(250);

  const first = await dispatch("https://shop.test/quiet-2", env);
  expect(first.status).toBe(200);
  expect(first.headers.get("x-stayopen-source")).toBe("origin");
}, 20_000);

it("drains the queue when the monitor's own probe finds the origin back, with no shopper around to tell", async () => {
  const env = orderEnv(origin, {
    BREAKER_FAILURES: "1",
    BREAKER_COOLDOWN_MS: "200",
    BREAKER_SYNC_MS: "100",
    PROBE_INTERVAL_MS: "500",
    PROBE_IDLE_INTERVAL_MS: "0",
    SLOW_START_MS: "0",
  });
  await origin.setMode({ mode: "refuse" });
  // Queued with a ten-minute backoff: only a drain sends it within this test.
  const { reference } = await queueOrder(env, "/orders/quiet-recovery", '{"sku":"Q"}');
  await origin.setMode({ mode: "ok" });

  let state = "";
  for (let i = 0; i < 60 && state !== "delivered"; i++) {
    await sleep(100);
    state = (await order(env, reference)).state;
  }
  expect(state).toBe("delivered");
  expect(await origin.requests("/orders/quiet-recovery")).toHaveLength(1);
}, 20_000);
