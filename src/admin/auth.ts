import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

const encoder = new TextEncoder();

/** Compares two secrets in constant time (hashing first so lengths never leak). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Guards the admin API. Without ADMIN_TOKEN the admin API does not exist (404);
 * a missing or wrong bearer token is a 401 and the handler never runs.
 *
 * @example app.use("/__stayopen/admin/*", requireAdmin())
 */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminToken(c, next) {
    const token = c.var.shop.config.adminToken;
    const headers = { "cache-control": "no-store", "x-stayopen-source": "edge" };
    if (!token) return c.json({ error: "not_found" }, 404, headers);
    const presented = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim() ?? "";
    if (!presented || !(await secretsEqual(presented, token))) {
      return c.json({ error: "unauthorized", message: "Send Authorization: Bearer <ADMIN_TOKEN>." }, 401, {
        ...headers,
        "www-authenticate": 'Bearer realm="stayopen-admin"',
      });
    }
    await next();
  };
}
