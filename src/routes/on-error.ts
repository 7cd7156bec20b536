import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, isStayopenError, problem } from "../http/errors";
import { log } from "../log";
import { wantsJson } from "../http/negotiate";
import { unavailableResponse } from "../outage/unavailable";
import { ADMIN_BASE } from "../http/wire";

/**
 * The one error handler: errors stayopen raises on purpose answer with their
 * own status and code; anything else is logged and answered with a 500 for
 * programs and operators, and for a shopper's browser with the branded 503
 * page (trouble at the edge, such as storage failing, passes like an outage).
 */
export async function renderError(error: Error, c: Context<AppEnv>): Promise<Response> {
  const headers = { "cache-control": "no-store", "x-stayopen-source": "edge" };
  if (isStayopenError(error)) {
    if (error.status >= 500) log("error", error.code, { message: error.message });
    return errorResponse(c, error, headers);
  }
  const path = new URL(c.req.url).pathname;
  log("error", "unhandled_error", { message: error.message, stack: error.stack, path });
  if (c.get("shop") !== undefined && !path.startsWith(ADMIN_BASE) && !wantsJson(c.req.raw)) {
    try {
      return await unavailableResponse(c);
    } catch (pageError) {
      log("error", "unhandled_error", { message: String(pageError), path, while: "maintenance_page" });
    }
  }
  return errorResponse(c, problem("internal_error"), headers);
}
