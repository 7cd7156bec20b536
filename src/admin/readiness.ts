import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { publicOrigin } from "../coverage/targets";
import { readinessReport } from "../readiness/report";

/** GET /__stayopen/admin/readiness */
export async function readinessRoute(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  return c.json(await readinessReport(c.env, shop, publicOrigin(shop, c.req.url)!));
}
