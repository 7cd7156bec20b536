// EverShop on a fresh copy of its seeded database, with stayopen in front of it
// in local workerd, configured the way an operator configures it for EverShop
// (docs/storefronts.md). Both on loopback ports; the worker's state persists in
// a temp dir so it survives the storefront's restart.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { buildWorker, freePorts, startWorkerHost } from "../../scripts/lib/processes.mjs";
import { stopPostgres } from "./postgres.mjs";
import { CATEGORY_PATH, freshRunDatabase, prepareStorefront, PRODUCT, RUN_DB, startEverShop } from "./evershop.mjs";

export const ADMIN_TOKEN = "storefront-admin-token-0123456789";

/** The stayopen variables for EverShop, exactly as docs/storefronts.md gives them. */
export function everShopVars(originUrl, shopUrl) {
  return {
    ORIGIN_URL: originUrl,
    SHOP_URL: shopUrl,
    // EverShop's storefront session cookie (express-session, `system.session.cookieName`, default "sid"):
    // it carries the cart and, once logged in, the customer.
    SESSION_COOKIES: "sid",
    // EverShop sets that same cookie on every answer to a visitor without one, pages and immutable assets alike.
    ANONYMOUS_COOKIES: "sid",
    // EverShop's checkout places the order with one fetch: POST /api/carts/<cart uuid>/checkout.
    ORDER_PATHS: "POST /api/carts/*/checkout",
    // Its checkout expects `{"data":{"uuid":…}}` and then leaves for /checkout/success/<uuid>: a queued order gets
    // that shape, and the client script on /checkout* pages (the success page included) confirms it.
    ORDER_REPLIES: JSON.stringify({
      "POST /api/carts/*/checkout": {
        status: 200,
        body: { data: { uuid: "{reference}", statusUrl: "{statusUrl}" } },
      },
    }),
    CLIENT_SCRIPT_PATHS: "/checkout*",
    CRITICAL_PATHS: `/,${CATEGORY_PATH},${PRODUCT.path}`,
    HEALTH_PATH: "/",
  };
}

export async function startStack() {
  const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-storefront-"));
  const db = await prepareStorefront();
  await freshRunDatabase(db);
  const [shopPort, workerPort] = await freePorts(2);
  const shopUrl = `http://127.0.0.1:${workerPort}`;
  const shopLog = join(tmp, "evershop.log");
  // EverShop writes absolute links with its home URL: the shop's public address is the worker's.
  const startShop = () => startEverShop(db, RUN_DB, { homeUrl: shopUrl, port: shopPort, logFile: shopLog });
  let shop = await startShop();
  await warmUp(shop.url);
  let worker;
  try {
    worker = await startWorkerHost({
      workers: [
        {
          name: "stayopen",
          scriptPath: await buildWorker(join(tmp, "build")),
          fromConfig: true,
          port: workerPort,
          vars: {
            ...everShopVars(shop.url, shopUrl),
            // Fast failure detection and replay, for a test that must finish in minutes.
            // EverShop renders its pages on the server; on a busy test machine a page, or the first
            // checkout after a cold start, can take many seconds (a replay that times out is retried).
            ORIGIN_TIMEOUT_MS: "30000",
            BREAKER_COOLDOWN_MS: "2000",
            BREAKER_SYNC_MS: "250",
            PROBE_INTERVAL_MS: "500",
            PROBE_TIMEOUT_MS: "1000",
            SLOW_START_MS: "0",
            ORDER_RETRY_BASE_MS: "1000",
            ORDER_RETRY_MAX_MS: "2000",
            SITEMAP_URL: "",
            CATALOG_FEED_URL: "",
            PREWARM_MAX_PAGES: "200",
            SHOP_NAME: "EverShop behind stayopen",
            ADMIN_TOKEN,
          },
        },
      ],
      persistDir: join(tmp, "state"),
      logFile: join(tmp, "worker.log"),
    });
  } catch (error) {
    await shop.proc.stop();
    throw error;
  }
  return {
    base: worker.urls.stayopen,
    db,
    worker,
    logs: { shop: shopLog, worker: join(tmp, "worker.log") },
    /** The storefront process crashes: its whole process group (server, subscriber, cron) gets SIGKILL. */
    killShop: () => shop.proc.kill9(),
    async restartShop() {
      shop = await startShop();
    },
    async stop() {
      await worker.stop().catch(() => {});
      await shop.proc.stop().catch(() => {});
      await stopPostgres().catch(() => {});
      if (process.env.KEEP_STOREFRONT_LOGS) console.log(`storefront: EverShop's and the worker's logs are in ${tmp}`);
      else rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** EverShop compiles each page's server code on its first request: done here, not inside the first measured one. */
async function warmUp(url) {
  for (const path of ["/", CATEGORY_PATH, PRODUCT.path, "/account/login", "/checkout"]) {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(60_000) });
    await response.arrayBuffer();
  }
}
