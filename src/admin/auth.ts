import type { Context, MiddlewareHandler } from "hono";
import { shopControl } from "../control/controls";
import type { AppEnv } from "../config/env";
import { readFields } from "../http/body";
import { wantsPage } from "../http/negotiate";
import { rateLimitRefusal } from "../routes/rate-limit";
import { log } from "../log";
import { loginPage } from "./dashboard/login";
import {
  ADMIN_SESSION,
  clearSessionCookie,
  csrfMatches,
  isCrossSite,
  issueSession,
  sessionCookie,
  setSessionCookie,
  verifySession,
  type SessionScope,
} from "./session";
import { ADMIN_BASE } from "../http/wire";
import { deploymentConfig, problemWith } from "../config/shop";
import { ConfigError, errorResponse, problem } from "../http/errors";

const encoder = new TextEncoder();
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Compares two secrets in constant time (hashing first so lengths never leak). */
async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Whether `given` is one of the tokens, each compared in constant time. */
async function anyTokenEqual(given: string, tokens: string[]): Promise<boolean> {
  const matches = await Promise.all(tokens.map((token) => secretsEqual(given, token)));
  return matches.includes(true);
}

/** The dashboard's CSRF token travels as a form field or, for JSON requests, a header. */
const CSRF_FIELD = "csrf";
const CSRF_HEADER = "x-csrf-token";
const MAX_FORM_BYTES = 16_384;

async function presentedCsrf(request: Request): Promise<string> {
  const header = request.headers.get(CSRF_HEADER);
  if (header) return header;
  const form = await readFields(request.clone(), MAX_FORM_BYTES);
  return form.ok ? (form.fields[CSRF_FIELD] ?? "") : "";
}

const EDGE_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };

/**
 * One door for operators, locked the same way whichever it is: a bearer token
 * compared in constant time, or a dashboard session with its CSRF token;
 * wrong tokens counted against the client. The admin API of each shop and
 * the platform API are the two doors.
 */
export type OperatorDoor = {
  /** Names the token in answers, the log events (`admin_token_rejected`) and the realm. */
  name: "admin" | "platform";
  /** Where the door's API and dashboard live: the login is `<base>/login`. */
  base: string;
  session: SessionScope;
  /** The variable whose token opens the door, for the 401's message and the login form. */
  tokenName: "ADMIN_TOKEN" | "PLATFORM_TOKEN";
  /**
   * The tokens that open the door now as a bearer token, those its login form
   * takes, and the key its sessions are signed with; null when the door does
   * not exist (404). Throws ConfigError when its token is set but unusable.
   */
  lock(c: Context<AppEnv>): { tokens: string[]; loginTokens: string[]; sessionKey: string } | null;
  /**
   * Whether a browser may log in and hold a session on this request's host
   * (bearer tokens work on every host). Absent: always.
   */
  sessionsHere?(c: Context<AppEnv>): Promise<boolean>;
};

/**
 * The admin API of the request's shop: it exists while the shop has an
 * ADMIN_TOKEN (404 otherwise, as the contract says), and then the
 * deployment's PLATFORM_TOKEN opens it too, on the shop's own hosts. Its
 * sessions are signed with the shop's token, so rotating it ends them.
 */
export const ADMIN_DOOR: OperatorDoor = {
  name: "admin",
  base: ADMIN_BASE,
  session: ADMIN_SESSION,
  tokenName: "ADMIN_TOKEN",
  lock(c) {
    const config = c.get("shop").config;
    // A token set but unusable (too short) closes the admin API with the reason, rather than leaving it open or 404.
    const unusable = problemWith(config, "ADMIN_TOKEN");
    if (unusable) throw new ConfigError(unusable);
    if (!config.adminToken) return null;
    const platform = deploymentConfig(c.env).platformToken;
    // The platform token as a bearer token only: typed into a shop's login form it would pass through a
    // page the shop's own scripts (or service worker) share an origin with.
    return {
      tokens: platform ? [config.adminToken, platform] : [config.adminToken],
      loginTokens: [config.adminToken],
      sessionKey: config.adminToken,
    };
  },
};

/**
 * Counts a wrong token against the client (RATE_LIMIT_ADMIN_FAILURES_PER_MIN):
 * the 429 once it has guessed too often, else null. Right tokens are never counted.
 */
function wrongTokenRefusal(c: Context<AppEnv>, door: OperatorDoor = ADMIN_DOOR): Promise<Response | null> {
  log("warn", `${door.name}_token_rejected`, { shop: c.get("shop").id });
  return rateLimitRefusal(c, "adminFailures");
}

/** The answer to a state change sent from another site (a cross-site form post or script). */
function crossSiteRefusal(c: Context<AppEnv>): Response {
  return errorResponse(c, problem("cross_site_request"), EDGE_HEADERS);
}

/**
 * Guards an operator API and its dashboard. Without a token neither exists
 * (404); with an unusable one both answer 503 naming it. A bearer token is checked in constant time; without one, a signed
 * dashboard session cookie lets the request in, and then every state change
 * must come from this site and carry the session's CSRF token (403
 * otherwise). No credentials: 401, for browsers with the login form as the page.
 * The login page itself is open.
 *
 * @example app.use("/__stayopen/admin/*", requireOperator(ADMIN_DOOR))
 */
export function requireOperator(door: OperatorDoor): MiddlewareHandler<AppEnv> {
  return async function requireOperatorToken(c, next) {
    const lock = door.lock(c);
    if (!lock) return errorResponse(c, problem("not_found", null), EDGE_HEADERS);
    const bearer = c.req.header("authorization") !== undefined;
    if (!bearer && door.sessionsHere && !(await door.sessionsHere(c)))
      return errorResponse(c, problem("login_not_here"), EDGE_HEADERS);
    if (c.req.path === `${door.base}/login`) return next();
    const challenge = { ...EDGE_HEADERS, "www-authenticate": `Bearer realm="stayopen-${door.name}"` };
    const unauthorized = () =>
      errorResponse(c, problem("unauthorized", `Send Authorization: Bearer <${door.tokenName}>.`), challenge);

    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const presented = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() ?? "";
      if (presented && (await anyTokenEqual(presented, lock.tokens))) return next();
      return (await wrongTokenRefusal(c, door)) ?? unauthorized();
    }

    const cookie = sessionCookie(c, door.session);
    const signed = cookie ? await verifySession(lock.sessionKey, cookie) : null;
    // A session someone logged out of stays ended, even if its cookie was kept.
    const session = signed && !(await shopControl(c.env, c.get("shop").id).sessionEnded(signed.id)) ? signed : null;
    if (!session) {
      // A person in a browser gets the login page (401); a program gets the JSON 401.
      return wantsPage(c.req.raw) ? loginPage(c, door, 401, challenge) : unauthorized();
    }
    const request = c.req.raw;
    if (!SAFE_METHODS.has(request.method)) {
      if (isCrossSite(request)) return crossSiteRefusal(c);
      if (!(await csrfMatches(lock.sessionKey, session, await presentedCsrf(request)))) {
        return errorResponse(c, problem("csrf_token_invalid"), EDGE_HEADERS);
      }
    }
    c.set("adminSession", session);
    return next();
  };
}

/** An operator's answers are the edge's own and never cached (the admin and the platform API alike). */
export function operatorAnswers(): MiddlewareHandler<AppEnv> {
  return async function noStore(c, next) {
    await next();
    c.res.headers.set("cache-control", "no-store");
    c.res.headers.set("x-stayopen-source", "edge");
  };
}

/** The admin API's guard: `requireOperator(ADMIN_DOOR)`. */
export const requireAdmin = (): MiddlewareHandler<AppEnv> => requireOperator(ADMIN_DOOR);

/**
 * `GET <base>/login` and `POST <base>/login` (the token as a form field) and
 * `POST <base>/logout`, for either door: a right token gets a session cookie
 * and the dashboard; a wrong one the form again (401), counted like a wrong
 * bearer token. Mounted behind requireOperator, which has answered 404 when
 * the door does not exist.
 */
export function loginRoutes(door: OperatorDoor) {
  const show = (c: Context<AppEnv>) => loginPage(c, door);
  async function logIn(c: Context<AppEnv>): Promise<Response> {
    const lock = door.lock(c)!;
    if (isCrossSite(c.req.raw)) return crossSiteRefusal(c);
    const form = await readFields(c.req.raw, MAX_FORM_BYTES);
    if (!form.ok) {
      return loginPage(c, door, form.problem.status, {}, form.problem.message);
    }
    if (!(await anyTokenEqual(form.fields.token ?? "", lock.loginTokens))) {
      return (await wrongTokenRefusal(c, door)) ?? loginPage(c, door, 401, {}, "That token is not right.");
    }
    const { cookie, session } = await issueSession(lock.sessionKey);
    setSessionCookie(c, cookie, door.session);
    log("info", `${door.name}_logged_in`, {
      shop: c.get("shop").id,
      expiresAt: new Date(session.expiresAt * 1000).toISOString(),
    });
    return c.redirect(door.base, 303);
  }
  async function logOut(c: Context<AppEnv>): Promise<Response> {
    const session = c.get("adminSession");
    if (session) await shopControl(c.env, c.get("shop").id).endSession(session.id, session.expiresAt * 1000);
    clearSessionCookie(c, door.session);
    log("info", `${door.name}_logged_out`, { shop: c.get("shop").id });
    return c.redirect(`${door.base}/login`, 303);
  }
  return { show, logIn, logOut };
}
