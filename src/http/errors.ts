import type { Context } from "hono";
import type { AppEnv } from "../env";
import { isStayopenError } from "../errors";
import { log } from "../log";

/**
 * The one error handler: errors stayopen raises on purpose answer with their
 * own status and code; anything else is logged and answered with a plain 500.
 */
export function renderError(error: Error, c: Context<AppEnv>): Response {
  const headers = { "cache-control": "no-store", "x-stayopen-source": "edge" };
  if (isStayopenError(error)) {
    if (error.status >= 500) log("error", error.code, { message: error.message });
    return c.json({ error: error.code, message: error.message }, error.status, { ...headers, ...error.headers });
  }
  log("error", "unhandled_error", { message: error.message, stack: error.stack, path: new URL(c.req.url).pathname });
  return c.json({ error: "internal_error", message: "Something went wrong at the edge." }, 500, headers);
}
