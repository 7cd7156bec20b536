import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../config/env";
import { ADMIN_BASE } from "../http/wire";
import { originProblem } from "../config/shop";
import { unavailableResponse } from "../outage/unavailable";
import { STYLESHEET } from "../shopper/stylesheet";

/**
 * Without a usable ORIGIN_URL there is no shop to pass through to: shoppers
 * get the honest 503 (the branded page, or JSON for API clients) instead of a
 * raw error, and only the operator's routes (whose status and readiness name
 * the problem) and the page's stylesheet run. The problem is logged once per
 * isolate, when the configuration is read.
 */
export function requireOrigin(): MiddlewareHandler<AppEnv> {
  return async function requireOrigin(c, next) {
    if (!originProblem(c.get("shop").config)) return next();
    const path = new URL(c.req.url).pathname;
    if (path === STYLESHEET.path || path === ADMIN_BASE || path.startsWith(`${ADMIN_BASE}/`)) return next();
    return unavailableResponse(c);
  };
}
