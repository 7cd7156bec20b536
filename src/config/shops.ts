import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Env } from "./env";
import { hostOf, withoutPort } from "../http/host";
import { log } from "../log";
import { DEFAULT_SHOP_ID, shopRegistry, type PutResult, type ShopInput, type StoredShop } from "./registry";
import { parseConfig, type ConfigVariable } from "./schema";
import { openSecrets } from "./secret-box";
import { varsShop as theVarsShop, type Shop } from "./shop";

/**
 * This isolate's view of the shop registry (config/registry.ts). A request's
 * shop comes from memory: the copy is used as is for FRESH_MS, used and
 * refreshed in the background until STALE_MS, and only older than that does a
 * request wait for the refresh. A refresh asks the registry for its version
 * and fetches the shops only when it changed. So a change made anywhere is
 * live on every isolate within STALE_MS; one made through this isolate at once.
 * Without PLATFORM_TOKEN the registry is never asked (single-shop mode).
 */
export const FRESH_MS = 5_000;
export const STALE_MS = 10_000;

/**
 * A registered shop as isolates use it; a deleted one stays known by id (its queued orders still go out).
 * `unopenedSecrets` names the secrets it has stored that do not open with this PLATFORM_TOKEN (after a
 * rotation, until the shop is PUT again): it runs without them, and what must not go out without one
 * (a replay without its REPLAY_SECRET's signature) waits.
 */
export type RegisteredShop = Shop & { deletedAt: number | null; unopenedSecrets: string[] };

/**
 * One shop of the registry's snapshot, opened (secrets decrypted, variables
 * parsed) on first use: a new isolate of a platform with 1,000 shops waits for
 * the shop its request is for, not for all of them. Kept across versions while
 * the shop's revision is unchanged.
 */
class ShopSlot {
  #shop: RegisteredShop | null = null;
  #opening: Promise<RegisteredShop> | null = null;
  constructor(
    readonly stored: StoredShop,
    private readonly token: string,
  ) {}

  open(): RegisteredShop | Promise<RegisteredShop> {
    if (this.#shop) return this.#shop;
    this.#opening ??= toShop(this.stored, this.token).then((shop) => (this.#shop = shop));
    return this.#opening;
  }
}

type View = {
  version: number;
  checkedAt: number;
  /** Every shop the registry holds, deleted ones too. */
  byId: Map<string, ShopSlot>;
  /** Live shops' hosts. */
  byHost: Map<string, ShopSlot>;
  live: ShopSlot[];
};

type Entry = { token: string; view?: View; refreshing?: { promise: Promise<View>; startedAt: number } };

/** Keyed by the registry binding: one entry per isolate in production, one per test env's binding in tests. */
const entries = new WeakMap<object, Entry>();

type WaitUntil = (promise: Promise<unknown>) => void;

/** Single-shop mode's shop: the deployment's vars, for every host. */
function varsShop(env: Env): RegisteredShop {
  return { ...theVarsShop(env), deletedAt: null, unopenedSecrets: [] };
}

/**
 * The shop a request's host belongs to (`host` may carry a port and any case).
 * No shop registered (or no PLATFORM_TOKEN): the vars shop for every host.
 * Shops registered: the live shop with this host, or null, and the caller
 * answers the "no shop here" 404.
 */
export async function resolveShop(env: Env, host: string, waitUntil?: WaitUntil): Promise<Shop | null> {
  const view = await currentView(env, waitUntil);
  if (!view || view.byId.size === 0) return varsShop(env);
  const slot = view.byHost.get(withoutPort(host));
  return slot ? slot.open() : null;
}

/** The live shops (single-shop mode: the vars shop): what the cron works through. */
export async function registeredShops(env: Env, waitUntil?: WaitUntil): Promise<RegisteredShop[]> {
  const view = await currentView(env, waitUntil);
  if (!view || view.byId.size === 0) return [varsShop(env)];
  return Promise.all(view.live.map((slot) => slot.open()));
}

/**
 * The live shops' ids in id order, for the cron to take its turn through them without opening every
 * shop; null in single-shop mode (no PLATFORM_TOKEN, or no shop ever registered): the vars shop alone.
 */
export async function liveShopIds(env: Env, waitUntil?: WaitUntil): Promise<string[] | null> {
  const view = await currentView(env, waitUntil);
  if (!view || view.byId.size === 0) return null;
  return view.live.map((slot) => slot.stored.id);
}

/**
 * A shop by id, deleted ones included, for Durable Objects and the cron that
 * hold only an id. "default" is always the vars shop: state a deployment kept
 * before its first shop was registered stays deliverable.
 */
export async function shopById(env: Env, id: string, waitUntil?: WaitUntil): Promise<RegisteredShop | undefined> {
  if (id === DEFAULT_SHOP_ID) return varsShop(env);
  const view = await currentView(env, waitUntil);
  if (!view) return undefined;
  const slot = view.byId.get(id);
  if (slot) return slot.open();
  // Registered moments ago through another isolate (its first order is here): ask now, not in 10 s.
  const entry = entryFor(env)!;
  return (await waitAtMost(joinOrRefresh(env, entry), REGISTRY_WAIT_MS)).byId.get(id)?.open();
}

/**
 * Creates or replaces a shop (the registry's `put`); this isolate serves the change at once, from the
 * change's own result: the change is made once the registry answered, and no read afterwards can turn
 * it into an error.
 */
export async function putShop(env: Env, id: string, input: ShopInput, actor: string): Promise<PutResult> {
  const result = await shopRegistry(env).put(id, input, actor);
  if (result.ok) await adoptChange(env, result.shop, result.version);
  return result;
}

/**
 * Deletes a shop (the registry's `remove`); this isolate stops serving its hosts at once. Returns when it
 * was deleted, or null when no live shop has this id.
 */
export async function removeShop(env: Env, id: string, actor: string): Promise<number | null> {
  const deleted = await shopRegistry(env).remove(id, actor);
  if (deleted) await adoptChange(env, deleted, deleted.revision);
  return deleted?.deletedAt ?? null;
}

/**
 * Puts a change this isolate made into its copy. When the copy was at the version just before the
 * change, the result is the registry's new state and nothing is read; otherwise (another isolate
 * changed something meanwhile) the rest is read now, and if that read fails it is logged and the next
 * requests read again, while the copy already serves the change.
 */
async function adoptChange(env: Env, stored: StoredShop, version: number): Promise<void> {
  const entry = entryFor(env);
  if (!entry) return;
  const view = entry.view;
  // A read that crossed the change brought it already.
  if (view && view.version >= version) return;
  if (view) {
    const exact = view.version === version - 1;
    const others = [...view.byId.values()].map((slot) => slot.stored).filter((shop) => shop.id !== stored.id);
    const shops = [...others, stored].sort((a, b) => (a.id < b.id ? -1 : 1));
    entry.view = buildView({ version: exact ? version : view.version, shops }, entry.token, view);
    if (exact) return;
    // Keeps its older version, so the read below (or the next request's) fetches the rest.
    entry.view.checkedAt = Date.now() - FRESH_MS;
  }
  try {
    await refresh(env, entry);
  } catch (error) {
    log("warn", "registry_refresh_failed", { shop: stored.id, version, error: String(error) });
  }
}

/** Reads the registry now, whatever the copy's age: after a change this isolate made itself. */
export async function refreshShops(env: Env): Promise<void> {
  const entry = entryFor(env);
  if (entry) await refresh(env, entry);
}

/** Forgets this isolate's copy (tests that change the registry behind the isolate's back, then want it read). */
export function forgetShops(env: Env): void {
  entries.delete(env.SHOP_REGISTRY);
}

function entryFor(env: Env): Entry | null {
  // The raw value, not the parsed one: a token too short for the platform door (closed with a 503 naming
  // it) must not turn every registered host into the vars shop, nor strand the shops' queued orders.
  const token = env.PLATFORM_TOKEN?.trim();
  if (!token) return null;
  let entry = entries.get(env.SHOP_REGISTRY);
  if (!entry || entry.token !== token) {
    entry = { token };
    entries.set(env.SHOP_REGISTRY, entry);
  }
  return entry;
}

async function currentView(env: Env, waitUntil?: WaitUntil): Promise<View | null> {
  const entry = entryFor(env);
  if (!entry) return null;
  const view = entry.view;
  const age = view ? Date.now() - view.checkedAt : Infinity;
  if (view && age < FRESH_MS) return view;
  const underWay = entry.refreshing?.promise;
  const work = joinOrRefresh(env, entry);
  // A read this request started is finished even if its client leaves first: others may be waiting for it.
  // (Without a waitUntil the read still runs; the next request finds it done or in flight.)
  if (work !== underWay) waitUntil?.(work.catch(() => undefined));
  if (view && age < STALE_MS) return view;
  try {
    return await waitAtMost(work, REGISTRY_WAIT_MS);
  } catch (error) {
    // The registry did not answer: an old copy keeps serving (refreshed in the background meanwhile).
    if (entry.view) return entry.view;
    throw error;
  }
}

/**
 * A request waits at most this long for the registry (a slow registry must not stall every shop's
 * healthy path); past it the old copy serves, or, with none yet, the neutral 503. The refresh goes on.
 */
export const REGISTRY_WAIT_MS = 2_000;

function waitAtMost<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the shop registry did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The read of the registry under way, joined, unless it has run for REGISTRY_WAIT_MS already: it belongs
 * to the request that started it and may have ended with it (its client left) without ever settling here,
 * and every request would then wait for it in vain. Then a new read.
 */
function joinOrRefresh(env: Env, entry: Entry): Promise<View> {
  const underWay = entry.refreshing;
  return underWay && Date.now() - underWay.startedAt < REGISTRY_WAIT_MS ? underWay.promise : refresh(env, entry);
}

function refresh(env: Env, entry: Entry): Promise<View> {
  const started = (async () => {
    const stub = shopRegistry(env);
    try {
      const version = await stub.version();
      const known = entry.view;
      if (known && known.version === version) {
        known.checkedAt = Date.now();
        return known;
      }
      const snapshot = await stub.snapshot();
      const view = buildView(snapshot, entry.token, entry.view);
      // Two refreshes may cross; the higher version wins.
      if (!entry.view || view.version >= entry.view.version) entry.view = view;
      return entry.view;
    } catch (error) {
      log("error", "registry_unreachable", { error: String(error) });
      // Retried in the background from now on, while the old copy (if any) keeps serving.
      if (entry.view) entry.view.checkedAt = Date.now() - FRESH_MS;
      throw error;
    }
  })();
  entry.refreshing = { promise: started, startedAt: Date.now() };
  const clear = () => {
    if (entry.refreshing?.promise === started) entry.refreshing = undefined;
  };
  started.then(clear, clear);
  return started;
}

function buildView(
  snapshot: { version: number; shops: StoredShop[] },
  token: string,
  previous: View | undefined,
): View {
  const view: View = {
    version: snapshot.version,
    checkedAt: Date.now(),
    byId: new Map(),
    byHost: new Map(),
    live: [],
  };
  for (const stored of snapshot.shops) {
    const kept = previous?.byId.get(stored.id);
    const slot = kept?.stored.revision === stored.revision ? kept : new ShopSlot(stored, token);
    view.byId.set(stored.id, slot);
    if (stored.deletedAt !== null) continue;
    view.live.push(slot);
    for (const host of stored.hosts) view.byHost.set(host, slot);
  }
  log("info", "registry_loaded", {
    version: view.version,
    shops: view.live.length,
    deleted: view.byId.size - view.live.length,
  });
  return view;
}

const UNOPENED = "is stored but does not open with this PLATFORM_TOKEN: PUT the shop's secrets again";

/** A stored shop with its secrets opened and its variables parsed: the schema's defaults, never the deployment's vars. */
async function toShop(stored: StoredShop, token: string): Promise<RegisteredShop> {
  const secrets = await openSecrets(token, stored.id, stored.secrets);
  if (!secrets) log("error", "shop_secrets_unreadable", { shop: stored.id, secrets: stored.secretNames });
  // PLATFORM_TOKEN is the deployment's alone: a shop's configuration never carries it.
  const { PLATFORM_TOKEN: _ignored, ...vars } = { ...stored.config, ...(secrets ?? {}) } as Partial<
    Record<ConfigVariable, string>
  >;
  const config = parseConfig(vars);
  // Each secret that did not open is named where operators look (admin status, readiness report, log):
  // the shop runs without it (no admin API, replays held) until its secrets are PUT again.
  const unopenedSecrets = secrets ? [] : stored.secretNames;
  for (const variable of unopenedSecrets)
    config.problems.push({
      variable,
      message:
        variable === "REPLAY_SECRET"
          ? `${UNOPENED}; queued orders are held (never replayed unsigned) until then`
          : UNOPENED,
    });
  for (const problem of config.problems) log("error", "config_invalid", { shop: stored.id, ...problem });
  return { id: stored.id, config, hosts: stored.hosts, deletedAt: stored.deletedAt, unopenedSecrets };
}

declare module "hono" {
  interface ContextVariableMap {
    shop: Shop;
  }
}

/**
 * Every request learns its shop first; everything after reads `c.get("shop")`.
 * A host no registered shop has is answered by `noShop` before anything is
 * stored or counted; a request whose shop cannot be known (the registry did
 * not answer and this isolate has no copy yet) by `unknown`, never a raw 500.
 *
 * @example app.use(attachShop({ noShop: noShopHere, unknown: shopUnknown }))
 */
export function attachShop(answers: {
  noShop: (c: Context<AppEnv>) => Response;
  unknown: (c: Context<AppEnv>) => Response;
}): MiddlewareHandler<AppEnv> {
  return async function attachShop(c, next) {
    let shop: Shop | null;
    try {
      shop = await resolveShop(c.env, hostOf(c.req.url), backgroundOf(c));
    } catch {
      // refresh() has logged registry_unreachable.
      return answers.unknown(c);
    }
    if (!shop) return answers.noShop(c);
    c.set("shop", shop);
    await next();
  };
}

/** The request's waitUntil, where there is one (Hono's `executionCtx` throws without). */
function backgroundOf(c: Context<AppEnv>): WaitUntil | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}
