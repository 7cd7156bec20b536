import type { Context, MiddlewareHandler } from "hono";
import { originProblem, type Shop } from "../config/shop";
import type { AppEnv, Env } from "../config/env";
import { log } from "../log";
import { awaitFirstLook } from "../shared-copy";
import { breakerPolicy, knownOrigins, originHealth, type OriginHealth } from "./health";
import { originHooks } from "./hooks";
import { originMonitor, originRoster } from "./monitor";
import type { MonitorSettings } from "./monitor-record";

/**
 * The isolate side of the shared breaker: each origin's copy is exchanged
 * with its OriginMonitor in the background, after the response, at most once
 * per BREAKER_SYNC_MS (or at once when this isolate's failures opened it).
 */

/** While the primary serves everything, each isolate tells the backups' monitors it still counts on them this often. */
export const BACKUP_WATCH_MS = 60_000;

export function monitorSettings(shop: Shop, originUrl: string): MonitorSettings {
  const config = shop.config;
  return {
    shopId: shop.id,
    originUrl,
    healthPath: config.healthPath,
    policy: breakerPolicy(shop),
    probe: config.probe,
    slowStartMs: config.slowStartMs,
    drainsOrders:
      originUrl === config.originUrl ||
      config.backupOrigins.some((backup) => backup.orders && backup.url === originUrl),
    orderShards: config.orderQueue.shards,
    ...(originUrl === config.originUrl ? { incidentMinS: config.incidentMinS } : {}),
  };
}

/** Every origin the shop's configuration names: primary, backups, and the catalog feed's host. */
function configuredOrigins(shop: Shop): string[] {
  const config = shop.config;
  const feed = config.catalogFeedUrl;
  const feedOrigin = feed && !feed.startsWith("/") ? new URL(feed).origin : null;
  const urls = [config.originUrl, ...config.backupOrigins.map((backup) => backup.url)];
  return feedOrigin && !urls.includes(feedOrigin) ? [...urls, feedOrigin] : urls;
}

const rostered = new WeakSet<Shop["config"]>();

/**
 * Tells the shop's roster, once per configuration an isolate runs with, which
 * origins it names; monitors of origins it no longer names stop probing.
 * Never throws.
 */
export async function rosterOrigins(env: Env, shop: Shop): Promise<void> {
  if (rostered.has(shop.config)) return;
  rostered.add(shop.config);
  try {
    const roster = originRoster(env, shop.id);
    await roster.useOrigins(shop.id, configuredOrigins(shop));
  } catch (error) {
    rostered.delete(shop.config);
    log("warn", "origin_monitor_unreachable", { shop: shop.id, origin: null, error: String(error) });
  }
}

/**
 * One exchange of this isolate's report for the shared state; never throws.
 * When shoppers fail while the breaker is closed, the monitor's health probe
 * says whether the shop is down: this isolate waits for that verdict apart
 * from the exchange, so its further reports are not held up meanwhile.
 */
async function exchangeWithMonitor(env: Env, shop: Shop, health: OriginHealth): Promise<void> {
  const monitor = originMonitor(env, shop.id, health.originUrl);
  let confirm = false;
  const once = () =>
    health.exchange(async (report) => {
      const answer = await monitor.exchange(monitorSettings(shop, health.originUrl), report);
      // Exactly one exchange after each recovery carries `drain`: this isolate starts the queue moving.
      if (answer.drain) await originHooks().welcomeBack(env, shop, "origin_recovered");
      confirm ||= answer.confirm;
      return answer.shared;
    });
  await once();
  // What happened here while the first exchange travelled (failures that opened this copy) goes at once.
  if (health.urgent) await once();
  if (!confirm) return;
  try {
    health.learn(await monitor.confirm());
  } catch (error) {
    log("warn", "origin_monitor_unreachable", { shop: shop.id, origin: health.originUrl, error: String(error) });
  }
}

/**
 * Keeps this isolate's breaker copies in step with the shared monitors. The
 * request itself never waits, except (at most FIRST_LOOK_MS) the first one of
 * a fresh isolate, so that a new isolate does not learn of an outage by timing
 * out, and the first one after a quiet spell while the copy keeps shoppers
 * away, so that a shop that recovered meanwhile is not answered with the outage.
 *
 * @example app.use(shareOriginHealth())
 */
export function shareOriginHealth(): MiddlewareHandler<AppEnv> {
  return async function shareOriginHealth(c, next) {
    const shop = c.get("shop");
    // No origin to watch (only the operator's routes run then): nothing to exchange.
    if (originProblem(shop.config)) return next();
    const primary = originHealth(shop);
    if (!rostered.has(shop.config)) c.executionCtx.waitUntil(rosterOrigins(c.env, shop));
    if (primary.lookFirst(Date.now(), shop.config.breakerSyncMs))
      await awaitFirstLook(c.executionCtx, exchangeWithMonitor(c.env, shop, primary));
    await next();
    const now = Date.now();
    const config = shop.config;
    // Every backup takes part from the first request on, so its monitor probes it before it is needed.
    for (const backup of config.backupOrigins) originHealth(shop, backup.url);
    const primaryServes = config.backupOrigins.length > 0 && primary.trafficShare(now) === 1;
    for (const health of knownOrigins(shop.id)) {
      const watchedOnly =
        primaryServes && health !== primary && config.backupOrigins.some((backup) => backup.url === health.originUrl);
      const interval = watchedOnly ? Math.max(config.breakerSyncMs, BACKUP_WATCH_MS) : config.breakerSyncMs;
      if (health.exchangeDue(now, interval)) c.executionCtx.waitUntil(exchangeWithMonitor(c.env, shop, health));
    }
  };
}

/**
 * Backups this isolate would pass over although their monitors may say
 * otherwise: while the primary serves, a backup's copy is refreshed only every
 * BACKUP_WATCH_MS, so when the primary fails, a backup that recovered
 * meanwhile could still look down here. Called only when no origin answered:
 * the copies that keep shoppers away and are older than two sync intervals
 * are refreshed (the request waits at most FIRST_LOOK_MS); the backups they
 * now let through are returned, in their configured order.
 */
export async function backupsWorthAnotherLook(c: Context<AppEnv>): Promise<string[]> {
  const shop = c.get("shop");
  const now = Date.now();
  const doubtful = shop.config.backupOrigins
    .map((backup) => originHealth(shop, backup.url))
    .filter((health) => health.lookFirst(now, shop.config.breakerSyncMs));
  if (doubtful.length === 0) return [];
  await awaitFirstLook(c.executionCtx, Promise.all(doubtful.map((health) => exchangeWithMonitor(c.env, shop, health))));
  return doubtful.filter((health) => health.admit()).map((health) => health.originUrl);
}

/**
 * The cron's share: every backup exchanges with its monitor, so the monitors
 * keep probing the backups (and the dashboard shows their health) while no
 * shopper traffic reaches them.
 */
export async function watchBackups(env: Env, shop: Shop): Promise<void> {
  await Promise.all([
    rosterOrigins(env, shop),
    ...shop.config.backupOrigins.map((backup) => sharedOriginHealth(env, shop, backup.url)),
  ]);
}

/**
 * The copy, exchanged first when it is older than BREAKER_SYNC_MS: for status
 * pages, and for work outside a shopper request (the cron), where no
 * middleware keeps it current.
 */
export async function sharedOriginHealth(
  env: Env,
  shop: Shop,
  originUrl = shop.config.originUrl,
): Promise<OriginHealth> {
  const health = originHealth(shop, originUrl);
  if (health.exchangeDue(Date.now(), shop.config.breakerSyncMs)) await exchangeWithMonitor(env, shop, health);
  return health;
}
