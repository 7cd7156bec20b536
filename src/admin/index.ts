import { Hono } from "hono";
import type { AppEnv } from "../env";
import { originHealth } from "../origin/health";
import { requireAdmin } from "./auth";

/**
 * The operator API under /__stayopen/admin: JSON in, JSON out, always behind
 * the admin token. Feature areas mount their own routes here.
 */
export const admin = new Hono<AppEnv>();

admin.use("*", requireAdmin());
admin.use("*", async function noStore(c, next) {
  await next();
  c.res.headers.set("cache-control", "no-store");
  c.res.headers.set("x-stayopen-source", "edge");
});

admin.get("/status", (c) => {
  const health = originHealth(c.var.shop);
  return c.json({
    origin: { url: c.var.shop.config.originUrl, state: health.label, breaker: health.state },
    mode: "auto",
  });
});
