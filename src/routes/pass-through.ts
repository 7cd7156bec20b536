import type { Context } from "hono";
import { isForcedDown } from "../control/forced";
import type { AppEnv } from "../config/env";
import { withSource } from "../http/source";
import { callOrigin } from "../origin/call";
import { unavailableResponse } from "../outage/unavailable";

/**
 * Everything that is neither a catalog read nor an order: proxied as is, and
 * when the origin is down (or the operator forced maintenance) an immediate,
 * honest 503 instead of a hang.
 */
export async function passThrough(c: Context<AppEnv>): Promise<Response> {
  if (isForcedDown(c)) return unavailableResponse(c);
  const call = await callOrigin(c.get("shop"), c.req.raw);
  if (call.kind === "answered") return withSource(call.response, "origin");
  return unavailableResponse(c);
}
