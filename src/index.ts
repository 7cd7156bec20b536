import { Hono } from "hono";
// 0 foundation
import { originProblem, type Shop } from "./config/shop";
import { attachShop } from "./config/shops";
import { takeCronTurn } from "./config/cron-turn";
import type { AppEnv, Env } from "./config/env";
import { staticAssetEtag } from "./http/static-asset";
import { log } from "./log";
import { PLATFORM_BASE } from "./http/wire";
// 1 origin, with what follows from its health registered below
import { registerOriginHooks } from "./origin/hooks";
import { shareOriginHealth, watchBackups } from "./origin/sync";
// 2 domains
import { shedDuringSlowStart } from "./catalog/shed";
import { rememberShopperOrigin } from "./coverage/shopper-origins";
import { incidentReporter } from "./incidents/store";
import { countBreakerTransition, flushMetrics } from "./metrics/counters";
import { countBySource } from "./metrics/middleware";
import { wakeQueueShards } from "./orders/queue";
// 3 pages, 4 flows
import { noShopHere, shopUnknown } from "./shopper/no-shop";
import { stayopenNotFound } from "./shopper/not-found";
import { serveStylesheet, STYLESHEET } from "./shopper/stylesheet";
import { prewarm } from "./readiness/prewarm";
import { welcomeBack } from "./recovery/welcome-back";
import { exportStaticBackup } from "./static-backup/export";
// 5 surfaces
import { admin } from "./admin/app";
import { platform } from "./platform/app";
import { redeemBypassLink, showBypassLink } from "./routes/bypass-link";
import { serveCatalog } from "./routes/catalog";
import { checkout } from "./routes/checkout";
import { clientScript } from "./routes/client-script";
import { serveClientScript } from "./routes/client-script-file";
import { incidentsAtom, incidentsJson } from "./routes/incidents";
import { notify } from "./routes/notify";
import { renderError } from "./routes/on-error";
import { operatorControls } from "./routes/operator-controls";
import { orderIntake } from "./routes/order-intake";
import { orderStatus } from "./routes/order-status";
import { passThrough } from "./routes/pass-through";
import { payments } from "./routes/payments";
import { requireOrigin } from "./routes/require-origin";
import { statusHtml, statusJson } from "./routes/status";

export { OrderQueue } from "./orders/order-queue";
export { Metrics } from "./metrics/metrics-object";
export { RateLimitCounter } from "./limits/counter";
export { ShopControl } from "./control/shop-control";

/** What follows from an origin's health lives above origin/: wired here, before any request or Durable Object runs. */
registerOriginHooks({
  welcomeBack,
  wakeOrderQueue: wakeQueueShards,
  breakerTransition: countBreakerTransition,
  outageReporter: incidentReporter,
});

/**
 * The request flow, top to bottom: stayopen's own routes, then the operator's
 * switches (staff bypass, forced maintenance) and slow start, then order
 * routes, then catalog reads, then everything else proxied.
 */
const app = new Hono<AppEnv>();

// The platform answers on every host, before a host's shop is known (or found missing).
app.route(PLATFORM_BASE, platform);
app.use(attachShop({ noShop: noShopHere, unknown: shopUnknown }));
app.use(countBySource());
app.use(requireOrigin());
app.use(shareOriginHealth());

app.get(STYLESHEET.path, staticAssetEtag, serveStylesheet);
app.get("/__stayopen/client.js", staticAssetEtag, serveClientScript);
app.get("/__stayopen/status.json", statusJson);
app.get("/__stayopen/status", statusHtml);
app.get("/__stayopen/incidents.json", incidentsJson);
app.get("/__stayopen/incidents.atom", incidentsAtom);
app.route("/__stayopen/admin", admin);
app.route("/__stayopen/checkout", checkout);
app.route("/__stayopen/notify", notify);
app.route("/__stayopen/payments", payments);
app.get("/__stayopen/orders/:reference", orderStatus);
app.get("/__stayopen/bypass", showBypassLink);
app.post("/__stayopen/bypass", redeemBypassLink);
app.all("/__stayopen/*", stayopenNotFound);

app.use(clientScript());
app.use(rememberShopperOrigin());
app.use(operatorControls());
app.use(shedDuringSlowStart());
app.on(["POST", "PUT", "PATCH"], "*", orderIntake);
app.on(["GET", "HEAD"], "*", serveCatalog);
app.all("*", passThrough);

app.onError(renderError);

export { IncidentLog } from "./incidents/incident-log";
export { NotifySubscribers } from "./notify/subscribers";
export { OriginMonitor } from "./origin/monitor";
export { PaymentLedger } from "./payments/ledger";
export { StockReservations } from "./stock/reservations";
export { ShopRegistry } from "./config/registry";

/**
 * How long one cron run works through the shops before it stops and leaves the rest to the next run
 * (config/cron-turn.ts keeps the place). The cron fires every five minutes (wrangler.toml [triggers]):
 * a minute ends a run long before the next one starts, and keeps its CPU time (30 s by default; most
 * of a run is waiting on origins) and its subrequests within an invocation's limits at any number of
 * shops. A shop started within the budget is finished.
 */
const CRON_BUDGET_MS = 60_000;

/** One shop's share of a cron run: keep the backup origins' monitors probing, fill snapshot gaps, take the next step of the static export. */
async function cronJobs(env: Env, shop: Shop): Promise<void> {
  // Nothing to pre-warm, watch or export without an origin; the shop's configuration problems are logged.
  if (originProblem(shop.config)) {
    log("warn", "cron_skipped", { shop: shop.id, reason: "ORIGIN_URL is unusable" });
    return;
  }
  const jobs: [string, (env: Env, shop: Shop) => Promise<unknown>][] = [
    ["watch_backups", watchBackups],
    ["prewarm", prewarm],
    ["static_export", exportStaticBackup],
  ];
  // One job failing (say, a bad sitemap) must not stop the others.
  for (const [job, run] of jobs) {
    try {
      await run(env, shop);
    } catch (error) {
      log("error", "cron_job_failed", { shop: shop.id, job, error: String(error) });
    }
  }
}

/**
 * Every five minutes: the shops' cron jobs, one shop after another (a run's subrequests are shared by
 * all shops, and one shop's trouble must not stop the rest) for at most CRON_BUDGET_MS, starting where
 * the previous run stopped; then this isolate's counters are sent.
 */
async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
  try {
    await takeCronTurn(env, (shop) => cronJobs(env, shop), { budgetMs: CRON_BUDGET_MS, waitUntil });
  } catch (error) {
    log("error", "cron_skipped", { reason: "the shop registry did not answer", error: String(error) });
  }
  ctx.waitUntil(flushMetrics(env));
}

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
