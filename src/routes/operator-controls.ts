import type { Context, MiddlewareHandler } from "hono";
import { snapshotResponse } from "../catalog/snapshot-response";
import type { AppEnv } from "../config/env";
import { withSource } from "../http/source";
import { log } from "../log";
import { fetchWithDeadline, toOriginRequest } from "../origin/fetch";
import { bypassVia, type BypassVia } from "../control/bypass";
import { forcedNow, welcomeAfterWindow } from "../control/controls";
import { unavailableResponse } from "../outage/unavailable";

/**
 * Staff always reach the real origin: no breaker, never snapshotted, never
 * queued; the origin's answer goes back as it is, marked with how they got in.
 */
async function toRealOrigin(c: Context<AppEnv>, via: BypassVia): Promise<Response> {
  const config = c.get("shop").config;
  const attempt = await fetchWithDeadline(toOriginRequest(c.req.raw, config.originUrl), config.originTimeoutMs);
  if (attempt.kind === "error")
    log("info", "bypass_origin_failed", { shop: c.get("shop").id, via, reason: attempt.reason });
  const response = attempt.kind === "response" ? withSource(attempt.response, "origin") : await unavailableResponse(c);
  if (!response.webSocket) response.headers.set("x-stayopen-bypass", via);
  return response;
}

/**
 * The operator's switches, applied after stayopen's own routes: staff bypass
 * first, then forced maintenance. While forced, catalog reads get their
 * snapshot (with banner) or the branded 503 with the incident message; other
 * requests continue with `isForcedDown(c)` true, so orders are queued and
 * everything else gets the 503.
 *
 * @example app.use(operatorControls())
 */
export function operatorControls(): MiddlewareHandler<AppEnv> {
  return async function applyOperatorControls(c, next) {
    const via = await bypassVia(c);
    if (via) return toRealOrigin(c, via);
    const forced = await forcedNow(c);
    c.set("forcedMaintenance", forced);
    if (!forced) welcomeAfterWindow(c);
    if (forced && (c.req.method === "GET" || c.req.method === "HEAD"))
      return (await snapshotResponse(c, { lastResort: true })) ?? unavailableResponse(c);
    await next();
  };
}
