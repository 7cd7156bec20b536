import type { Context } from "hono";
import type { Shop } from "../config/shop";
import type { AppEnv } from "../config/env";
import { log } from "../log";
import { callCatalogOrigins, sourceOf } from "../origin/failover";
import { originHealth } from "../origin/health";
import { shedFromPrimary } from "./shed";
import { collapsedCall, type CollapsedCall } from "./collapse";
import { healthyUse, parseCacheControl, snapshotPolicy } from "./freshness";
import { keepSnapshot, worthKeeping } from "./keep";
import { snapshotHeaders } from "./stale";
import { claimRefresh, readHotSnapshot, type Snapshot } from "./store";
import { count } from "../metrics/counters";

/**
 * Stale-while-revalidate at the edge (RFC 5861). While the origin is healthy a
 * shareable page may be answered from this colo's snapshot: as is while its
 * Cache-Control says it is fresh, and within its stale-while-revalidate window
 * while a background request refreshes it. Off unless the origin sends
 * stale-while-revalidate or SWR_DEFAULT_S is set, so by default a healthy
 * shop's pages pass through live.
 */

/** Shops whose origin has sent stale-while-revalidate to this isolate; only they pay for a snapshot read per request. */
const optedIn = new Set<string>();

export function noteCacheControl(shop: Shop, response: Response): void {
  if (optedIn.has(shop.id)) return;
  const cacheControl = response.headers.get("cache-control");
  // Most answers never mention it: skip parsing them on the hot path.
  if (!cacheControl?.toLowerCase().includes("stale-while-revalidate")) return;
  if ((parseCacheControl(cacheControl).staleWhileRevalidate ?? 0) <= 0) return;
  optedIn.add(shop.id);
  log("info", "swr_enabled", { shop: shop.id, reason: "origin_cache_control" });
}

/** The call down the origin chain for a shareable page, shared with concurrent requests for the same page. */
export async function sharedOriginCall(
  c: Context<AppEnv>,
  request: Request,
  normalized: string,
): Promise<CollapsedCall> {
  const shop = c.get("shop");
  const outcome = await collapsedCall(
    `${shop.id} ${normalized}`,
    request,
    () => callCatalogOrigins(shop, request, shedFromPrimary(c)),
    {
      maxBytes: shop.config.snapshotMaxBytes,
      waitMs: 2 * shop.config.originTimeoutMs,
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    },
  );
  if (outcome.joined) count(c.env, shop.id, "collapsed_requests");
  return outcome;
}

/**
 * Whether this shop's pages are cached at the edge while the origin is healthy:
 * answered ahead of it, and concurrent misses of one page collapsed into one
 * origin fetch. Otherwise every request is a plain pass-through of its own.
 */
export const cachesAtEdge = (shop: Shop): boolean => shop.config.swrDefaultS > 0 || optedIn.has(shop.id);

/** A snapshot answered ahead of the origin, or null when the request must go live. */
export async function serveAhead(c: Context<AppEnv>, normalized: string, now = Date.now()): Promise<Response | null> {
  const shop = c.get("shop");
  if (!cachesAtEdge(shop)) return null;
  if (originHealth(shop).label === "down") return null;
  const url = new URL(c.req.url);
  const snapshot = await readHotSnapshot(shop.id, url.host, normalized);
  // A backup's answer stands in while the primary fails; once it is back, the primary answers.
  if (!snapshot || snapshot.fromBackup) return null;
  const policy = snapshotPolicy(snapshot, shop.config);
  const use = healthyUse(now - snapshot.storedAt, policy);
  if (use === "live") return null;
  // At most one refresh per page per freshness lifetime in this isolate, however many shoppers see the old copy.
  if (
    use === "revalidate" &&
    claimRefresh(`revalidate ${shop.id} ${normalized}`, Math.max(1, Math.ceil(policy.freshMs / 1000)), now)
  ) {
    const request = new Request(c.req.url, { headers: c.req.raw.headers });
    c.executionCtx.waitUntil(revalidate(c, request, url.host, normalized));
  }
  count(c.env, shop.id, "snapshot_hits", { use });
  return aheadResponse(snapshot, use, now);
}

/**
 * The origin allowed this copy, so it is the origin's answer: `origin` with
 * `Age` and the origin's own Cache-Control, no banner. X-Stayopen-Cache tells
 * a fresh copy from one being refreshed.
 */
function aheadResponse(snapshot: Snapshot, use: "fresh" | "revalidate", now: number): Response {
  const headers = snapshotHeaders(snapshot, now);
  if (snapshot.cacheControl) headers.set("cache-control", snapshot.cacheControl);
  headers.set("x-stayopen-source", "origin");
  headers.set("x-stayopen-cache", use === "fresh" ? "fresh" : "revalidating");
  return new Response(snapshot.body, { status: snapshot.status, headers });
}

async function revalidate(c: Context<AppEnv>, request: Request, host: string, normalized: string): Promise<void> {
  const shop = c.get("shop");
  const { call } = await sharedOriginCall(c, request, normalized);
  if (call.kind !== "answered") {
    log("info", "snapshot_revalidation_failed", { shop: shop.id, key: normalized, outcome: call.kind });
    return;
  }
  const response = call.response;
  noteCacheControl(shop, response);
  if (worthKeeping(request, response, shop.config)) {
    await keepSnapshot(c.env, shop, host, normalized, response, sourceOf(shop, call.originUrl));
    return;
  }
  await response.body?.cancel();
  log("info", "snapshot_revalidation_refused", { shop: shop.id, key: normalized, status: response.status });
}
