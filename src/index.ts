import { Hono } from "hono";
import { admin } from "./admin";
import { serveCatalog } from "./catalog/serve";
import { checkout } from "./checkout/routes";
import { operatorControls, redeemBypassLink, showBypassLink } from "./control";
import type { AppEnv, Env } from "./env";
import { renderError } from "./routes/on-error";
import { hostOf } from "./http/host";
import { log } from "./log";
import { countBreakerTransition, countBySource, flushMetrics } from "./metrics";
import { notify } from "./notify/routes";
import { orderIntake, orderStatus, wakeQueueShards } from "./orders";
import { registerOriginHooks } from "./origin/hooks";
import { welcomeBack } from "./recovery/welcome-back";
import { passThrough } from "./routes/pass-through";
import { shedDuringSlowStart } from "./catalog/shed";
import { shareOriginHealth, watchBackups } from "./origin/sync";
import { prewarm, rememberShopperOrigin } from "./readiness";
import { payments } from "./payments/routes";
import { stayopenNotFound } from "./shopper/not-found";
import { statusHtml, statusJson } from "./shopper/status";
import { serveStylesheet, stylesheetEtag } from "./shopper/stylesheet";
import { exportStaticBackup } from "./static-backup";
import { resolveShop } from "./config/shop";

/**
 * The request flow, top to bottom: stayopen's own routes, then the operator's
 * switches (staff bypass, forced maintenance) and slow start, then order
 * routes, then catalog reads, then everything else proxied.
 */
registerOriginHooks({ welcomeBack, wakeOrderQueue: wakeQueueShards, breakerTransition: countBreakerTransition });

const app = new Hono<AppEnv>();

app.use(async function attachShop(c, next) {
  c.set("shop", resolveShop(c.env, hostOf(c.req.url)));
  await next();
});
app.use(countBySource());
app.use(shareOriginHealth());

app.get("/__stayopen/assets/stayopen.css", stylesheetEtag, serveStylesheet);
app.get("/__stayopen/status.json", statusJson);
app.get("/__stayopen/status", statusHtml);
app.route("/__stayopen/admin", admin);
app.route("/__stayopen/checkout", checkout);
app.route("/__stayopen/notify", notify);
app.route("/__stayopen/payments", payments);
app.get("/__stayopen/orders/:reference", orderStatus);
app.get("/__stayopen/bypass", showBypassLink);
app.post("/__stayopen/bypass", redeemBypassLink);
app.all("/__stayopen/*", stayopenNotFound);

app.use(rememberShopperOrigin());
app.use(operatorControls());
app.use(shedDuringSlowStart());
app.on(["POST", "PUT", "PATCH"], "*", orderIntake);
app.on(["GET", "HEAD"], "*", serveCatalog);
app.all("*", passThrough);

app.onError(renderError);

export { ShopControl } from "./control";
export { RateLimitCounter } from "./limits";
export { Metrics } from "./metrics";
export { NotifySubscribers } from "./notify/subscribers";
export { OrderQueue } from "./orders";
export { OriginMonitor } from "./origin/monitor";
export { PaymentLedger } from "./payments/ledger";
export { StockReservations } from "./stock/reservations";

/**
 * Every five minutes (wrangler.toml [triggers]): keep the backup origins'
 * monitors probing, fill snapshot gaps, take the next step of the static
 * export to R2, then send this isolate's counters.
 */
async function scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const jobs: [string, (env: Env) => Promise<unknown>][] = [
    ["watch_backups", watchBackups],
    ["prewarm", prewarm],
    ["static_export", exportStaticBackup],
  ];
  // One job failing (say, a bad sitemap) must not stop the others.
  for (const [job, run] of jobs) {
    try {
      await run(env);
    } catch (error) {
      log("error", "cron_job_failed", { job, error: String(error) });
    }
  }
  ctx.waitUntil(flushMetrics(env));
}

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
