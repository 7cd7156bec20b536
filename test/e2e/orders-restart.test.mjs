// Never lose a sale, with real processes: the demo shop is killed (SIGKILL, not a
// closed listener), orders are placed while it is gone, the worker is killed and
// restarted on its persisted state, the shop comes back, and every order arrives
// exactly once. Run: node --test test/e2e/orders-restart.test.mjs
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import {
  buildWorker,
  freePorts,
  makeDataDir,
  removeDataDir,
  sleep,
  startShop,
  startWorkerHost,
} from "../../scripts/lib/processes.mjs";

const ADMIN_TOKEN = "restart-admin-token-0123456789";
const REPLAY_SECRET = "whsec_cmVzdGFydC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=";
const ORDERS = 20;
const DEADLINE_MS = 90_000;

const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-restart-"));
const dataDir = makeDataDir();
let ports;
let shop;
let worker;

const call = (url, init = {}) => fetch(url, { signal: AbortSignal.timeout(10_000), ...init });

before(async () => {
  ports = await freePorts(2);
  shop = await startShop({ dataDir, ports, env: { REPLAY_SECRET } });
  worker = await startWorkerHost({
    workers: [
      {
        name: "stayopen",
        scriptPath: await buildWorker(join(tmp, "build")),
        fromConfig: true,
        vars: {
          ORIGIN_URL: shop.shop,
          ORIGIN_TIMEOUT_MS: "1000",
          BREAKER_COOLDOWN_MS: "1000",
          BREAKER_SYNC_MS: "250",
          PROBE_INTERVAL_MS: "500",
          PROBE_TIMEOUT_MS: "500",
          SLOW_START_MS: "0",
          ORDER_RETRY_BASE_MS: "500",
          ORDER_RETRY_MAX_MS: "2000",
          SITEMAP_URL: "",
          SHOP_URL: "",
          ADMIN_TOKEN,
          REPLAY_SECRET,
          RATE_LIMIT_ORDERS_PER_MIN: "100000",
        },
      },
    ],
    persistDir: join(tmp, "state"),
    logFile: join(tmp, "worker.log"),
  });
});

after(async () => {
  await worker?.stop().catch(() => {});
  await shop?.stop().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
  removeDataDir(dataDir);
});

it("delivers every order placed while the shop process was dead exactly once, across a worker restart", async () => {
  const base = worker.urls.stayopen;
  assert.equal((await call(`${base}/`)).status, 200);
  await shop.kill9();

  const references = new Map();
  for (let i = 0; i < ORDERS; i++) {
    const key = `restart-${i}`;
    const body = JSON.stringify({ sku: "COF-HUIL-250", qty: 1, name: `Shopper ${i}`, email: `s${i}@example.com` });
    const send = () =>
      call(`${base}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body,
      });
    const first = await send();
    assert.equal(first.status, 202, `order ${i}: ${await first.clone().text()}`);
    const { reference } = await first.json();
    references.set(key, reference);
    // Every fourth shopper double-submits: the same order, the same reference.
    if (i % 4 === 0) assert.equal((await (await send()).json()).reference, reference);
  }

  await worker.restart();
  shop = await startShop({ dataDir, ports, env: { REPLAY_SECRET } });

  const started = Date.now();
  let received = [];
  while (Date.now() - started < DEADLINE_MS) {
    received = ((await (await call(`${shop.shop}/api/orders`)).json()).orders ?? []).filter((order) =>
      order.idempotencyKey?.startsWith("restart-"),
    );
    if (received.length >= ORDERS) break;
    await sleep(500);
  }
  const perKey = new Map();
  for (const order of received) perKey.set(order.idempotencyKey, (perKey.get(order.idempotencyKey) ?? 0) + 1);
  assert.equal(perKey.size, ORDERS, `orders that arrived: ${perKey.size} of ${ORDERS}`);
  for (const [key, count] of perKey) assert.equal(count, 1, `${key} arrived ${count} times`);
  for (const order of received) assert.equal(order.replayed, true);

  for (const [key, reference] of references) {
    const status = await (
      await call(`${base}/__stayopen/orders/${reference}`, { headers: { accept: "application/json" } })
    ).json();
    assert.equal(status.status, "delivered", `${key} is ${status.status}`);
  }
  const admin = await (
    await call(`${base}/__stayopen/admin/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).json();
  assert.equal(admin.queue.queued + admin.queue.delivering, 0);
});
