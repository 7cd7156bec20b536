import type { Context } from "hono";
import type { Shop } from "../config/shop";
import type { AppEnv } from "../config/env";
import { hostOf } from "../http/host";
import { withSource } from "../http/source";
import { callOrigin } from "../origin/call";
import { callCatalogOrigins, callInOrder, sourceOf } from "../origin/failover";
import { backupsWorthAnotherLook } from "../origin/sync";
import { count } from "../metrics/counters";
import { shedFromPrimary } from "../catalog/shed";
import { exportedResponse } from "../static-backup/serve";
import { unavailableResponse } from "../outage/unavailable";
import { collapsible } from "../catalog/collapse";
import { keepSnapshot, whyNotKept } from "../catalog/keep";
import { normalizeUrl } from "../catalog/key";
import { cachesAtEdge, noteCacheControl, serveAhead, sharedOriginCall } from "../catalog/revalidate";
import { requestIsShareable } from "../catalog/shareable";
import { pageSnapshot, standIn } from "../catalog/snapshot-response";
import { claimedBefore, claimRefresh, refreshDue } from "../catalog/store";

/**
 * Catalog reads (GET/HEAD): live from the primary origin while it answers,
 * else from the first backup origin that does (BACKUP_ORIGINS, in order),
 * keeping a snapshot of shareable pages on the way; ahead of the origin only
 * where its Cache-Control allows stale-while-revalidate; when no origin
 * answers, the newer of the static export in R2 and the page's snapshot
 * (within its stale-if-error window); the branded maintenance page when there
 * is neither. Where the shop caches at the edge, concurrent requests for one
 * shareable page share one walk down the chain.
 */
export async function serveCatalog(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const request = c.req.raw;
  if (!cachesAtEdge(shop) || !collapsible(request) || !requestIsShareable(request, shop.config).shareable) {
    const call = await callCatalogOrigins(shop, request, shedFromPrimary(c));
    return call.kind === "answered" ? passThrough(c, shop, call.response, call.originUrl) : serveFallback(c);
  }
  const normalized = normalizeUrl(request.url);
  const ahead = await serveAhead(c, normalized);
  if (ahead) return ahead;
  const { call } = await sharedOriginCall(c, request, normalized);
  return call.kind === "answered" ? passThrough(c, shop, call.response, call.originUrl) : serveFallback(c);
}

/** A live answer, from the primary (`origin`) or a backup (`backup`); either one becomes the page's snapshot. */
function passThrough(c: Context<AppEnv>, shop: Shop, response: Response, originUrl: string): Response {
  const request = c.req.raw;
  const source = sourceOf(shop, originUrl);
  const normalized = normalizeUrl(request.url);
  const key = `${shop.id} ${normalized}`;
  const refreshS = shop.config.snapshotRefreshS;
  // Most answers come by within the refresh interval of the page's last store: they skip the checks below.
  if (!refreshDue(key, refreshS)) return withSource(response, source);
  // Serving ahead needs a snapshot, so an origin's stale-while-revalidate only matters on answers that may become one.
  noteCacheControl(shop, response);
  const known = claimedBefore(key);
  const refused = whyNotKept(request, response, shop.config);
  if (refused !== null) count(c.env, shop.id, "snapshot_refusals", { rule: refused });
  if (refused !== null || !claimRefresh(key, refreshS)) return withSource(response, source);

  const [toShopper, toStore] = response.body!.tee();
  c.executionCtx.waitUntil(
    keepSnapshot(c.env, shop, hostOf(request.url), normalized, new Response(toStore, response), source, {
      known,
      claim: key,
    }),
  );
  return withSource(response, source, toShopper);
}

async function serveFallback(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const lateBackups = await backupsWorthAnotherLook(c);
  if (lateBackups.length > 0) {
    const call = await callInOrder(lateBackups, (originUrl) => callOrigin(shop, c.req.raw, originUrl));
    if (call.kind === "answered") return passThrough(c, shop, call.response, call.originUrl);
  }
  const now = Date.now();
  const found = await pageSnapshot(c, now);
  const exported = await exportedResponse(c, found.servable ? found.snapshot.storedAt : null, now);
  if (exported) return exported;
  return standIn(c, found, now, { lastResort: true }) ?? unavailableResponse(c);
}
