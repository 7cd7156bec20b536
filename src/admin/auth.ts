import type { Context, MiddlewareHandler } from "hono";
import { shopControl } from "../control/controls";
import type { AppEnv } from "../config/env";
import { readFields } from "../http/body";
import { wantsPage } from "../http/negotiate";
import { rateLimitRefusal } from "../routes/rate-limit";
import { log } from "../log";
import { loginRequired } from "./dashboard/login";
import { csrfMatches, isCrossSite, sessionCookie, verifySession } from "./session";
import { ADMIN_BASE } from "../http/wire";
import { problemWith } from "../config/shop";
import { ConfigError, errorResponse, problem } from "../http/errors";

const encoder = new TextEncoder();
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Compares two secrets in constant time (hashing first so lengths never leak). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** The dashboard's CSRF token travels as a form field or, for JSON requests, a header. */
const CSRF_FIELD = "csrf";
const CSRF_HEADER = "x-csrf-token";
const MAX_FORM_BYTES = 16_384;
const LOGIN_PATH = `${ADMIN_BASE}/login`;

async function presentedCsrf(request: Request): Promise<string> {
  const header = request.headers.get(CSRF_HEADER);
  if (header) return header;
  const form = await readFields(request.clone(), MAX_FORM_BYTES);
  return form.ok ? (form.fields[CSRF_FIELD] ?? "") : "";
}

const EDGE_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };

/**
 * Counts a wrong admin token against the client (RATE_LIMIT_ADMIN_FAILURES_PER_MIN):
 * the 429 once it has guessed too often, else null. Right tokens are never counted.
 */
export function wrongTokenRefusal(c: Context<AppEnv>): Promise<Response | null> {
  log("warn", "admin_token_rejected", { shop: c.get("shop").id });
  return rateLimitRefusal(c, "adminFailures");
}

/** The answer to a state change sent from another site (a cross-site form post or script). */
export function crossSiteRefusal(c: Context<AppEnv>): Response {
  return errorResponse(c, problem("cross_site_request"), EDGE_HEADERS);
}

/**
 * Guards the admin API and dashboard. Without ADMIN_TOKEN neither exists
 * (404); with an unusable one both answer 503 naming ADMIN_TOKEN. A bearer token is checked in constant time; without one, a signed
 * dashboard session cookie lets the request in, and then every state change
 * must come from this site and carry the session's CSRF token (403
 * otherwise). No credentials: 401, for browsers with the login form as the page.
 * The login page itself is open.
 *
 * @example app.use("/__stayopen/admin/*", requireAdmin())
 */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminToken(c, next) {
    const config = c.get("shop").config;
    // A token set but unusable (too short) closes the admin API with the reason, rather than leaving it open or 404.
    const unusable = problemWith(config, "ADMIN_TOKEN");
    if (unusable) throw new ConfigError(unusable);
    const token = config.adminToken;
    if (!token) return errorResponse(c, problem("not_found", null), EDGE_HEADERS);
    if (c.req.path === LOGIN_PATH) return next();
    const challenge = { ...EDGE_HEADERS, "www-authenticate": 'Bearer realm="stayopen-admin"' };
    const unauthorized = () => errorResponse(c, problem("unauthorized"), challenge);

    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const presented = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() ?? "";
      if (presented && (await secretsEqual(presented, token))) return next();
      return (await wrongTokenRefusal(c)) ?? unauthorized();
    }

    const cookie = sessionCookie(c);
    const signed = cookie ? await verifySession(token, cookie) : null;
    // A session someone logged out of stays ended, even if its cookie was kept.
    const session = signed && !(await shopControl(c.env, c.get("shop").id).sessionEnded(signed.id)) ? signed : null;
    if (!session) {
      // A person in a browser gets the login page (401); a program gets the JSON 401.
      return wantsPage(c.req.raw) ? loginRequired(c, challenge) : unauthorized();
    }
    const request = c.req.raw;
    if (!SAFE_METHODS.has(request.method)) {
      if (isCrossSite(request)) return crossSiteRefusal(c);
      if (!(await csrfMatches(token, session, await presentedCsrf(request)))) {
        return errorResponse(c, problem("csrf_token_invalid"), EDGE_HEADERS);
      }
    }
    c.set("adminSession", session);
    return next();
  };
}
