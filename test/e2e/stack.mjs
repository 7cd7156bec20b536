// The local stack for browser and drill tests: the demo shop and the worker in
// workerd with its own persisted state, a fast breaker, and a known admin token.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { buildWorker, makeDataDir, removeDataDir, startShop, startWorkerHost } from "../../scripts/lib/processes.mjs";

export const ADMIN_TOKEN = "e2e-admin-token-0123456789";
export const SHOP_NAME = "E2E Coffee Co.";
/** A breaker and probes fast enough for a browser test to see an outage and a recovery within seconds. */
export const FAST_BREAKER = {
  ORIGIN_TIMEOUT_MS: "1000",
  BREAKER_COOLDOWN_MS: "2000",
  BREAKER_SYNC_MS: "250",
  PROBE_INTERVAL_MS: "500",
  PROBE_TIMEOUT_MS: "500",
  SLOW_START_MS: "0",
};
const REPLAY_SECRET = "whsec_ZTJlLXJlcGxheS1zZWNyZXQtMDEyMzQ1Njc4OQ==";

export async function startStack() {
  const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-e2e-"));
  const dataDir = makeDataDir();
  const demo = await startShop({ dataDir, env: { REPLAY_SECRET } });
  let worker;
  try {
    const bundle = await buildWorker(join(tmp, "build"));
    worker = await startWorkerHost({
      workers: [
        {
          name: "stayopen",
          scriptPath: bundle,
          fromConfig: true,
          vars: {
            ORIGIN_URL: demo.shop,
            ...FAST_BREAKER,
            ORDER_RETRY_BASE_MS: "1000",
            ORDER_RETRY_MAX_MS: "2000",
            CRITICAL_PATHS: "/,/c/coffee,/p/1",
            SITEMAP_URL: "",
            SHOP_URL: "",
            SHOP_NAME,
            RETRY_AFTER_S: "60",
            ADMIN_TOKEN,
            REPLAY_SECRET,
            RATE_LIMIT_ORDERS_PER_MIN: "100000",
            RATE_LIMIT_CHECKOUT_PER_MIN: "100000",
            RATE_LIMIT_NOTIFY_PER_MIN: "100000",
          },
        },
      ],
      persistDir: join(tmp, "state"),
      logFile: join(tmp, "worker.log"),
    });
  } catch (error) {
    await demo.stop();
    throw error;
  }
  return {
    base: worker.urls.stayopen,
    demo,
    worker,
    logFile: join(tmp, "worker.log"),
    async stop() {
      await worker.stop().catch(() => {});
      await demo.stop().catch(() => {});
      rmSync(tmp, { recursive: true, force: true });
      removeDataDir(dataDir);
    },
  };
}
