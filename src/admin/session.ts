import { ADMIN_BASE } from "../http/wire";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { fromBase64Url, toBase64Url } from "../http/base64url";

/**
 * The dashboard's login session: a cookie holding a random id and an expiry,
 * signed with HMAC-SHA256 under the door's token (ADMIN_TOKEN, or PLATFORM_TOKEN
 * for the platform dashboard), never the token itself. Rotating
 * the token ends every session; logging out ends one (ShopControl keeps its id
 * until it would have expired). Each session has its own CSRF token, derived
 * from its id, which every dashboard form carries.
 */

export const SESSION_TTL_S = 8 * 3600;

/**
 * Where a session cookie lives: the admin dashboard's (`stayopen_admin` on
 * /__stayopen/admin) or the platform dashboard's (`stayopen_platform` on
 * /__stayopen/platform). Only that path ever sees it, so it never travels on to the origin.
 */
export type SessionScope = { cookie: string; path: string };
export const ADMIN_SESSION: SessionScope = { cookie: "stayopen_admin", path: ADMIN_BASE };

export type AdminSession = { id: string; expiresAt: number; csrf: string };

declare module "hono" {
  interface ContextVariableMap {
    /** Set when the request was let in by a dashboard session rather than a bearer token. */
    adminSession: AdminSession | undefined;
  }
}

const encoder = new TextEncoder();

function hmacKey(adminToken: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(adminToken), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** Purposes keep a session signature from ever being accepted as a CSRF token, and the reverse. */
async function sign(adminToken: string, purpose: "session" | "csrf", payload: string): Promise<string> {
  return toBase64Url(
    await crypto.subtle.sign("HMAC", await hmacKey(adminToken), encoder.encode(`${purpose}.${payload}`)),
  );
}

async function verify(
  adminToken: string,
  purpose: "session" | "csrf",
  payload: string,
  signature: string,
): Promise<boolean> {
  const bytes = fromBase64Url(signature);
  if (!bytes) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(adminToken), bytes, encoder.encode(`${purpose}.${payload}`));
}

async function sessionOf(adminToken: string, id: string, expiresAt: number): Promise<AdminSession> {
  return { id, expiresAt, csrf: await sign(adminToken, "csrf", id) };
}

/** `<id>.<expires, unix seconds>.<signature>` */
export async function issueSession(
  adminToken: string,
  now = Date.now(),
): Promise<{ cookie: string; session: AdminSession }> {
  const id = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const expiresAt = Math.floor(now / 1000) + SESSION_TTL_S;
  const payload = `${id}.${expiresAt}`;
  return {
    cookie: `${payload}.${await sign(adminToken, "session", payload)}`,
    session: await sessionOf(adminToken, id, expiresAt),
  };
}

/** The session a cookie value stands for, or null when it is malformed, forged or expired. */
export async function verifySession(adminToken: string, value: string, now = Date.now()): Promise<AdminSession | null> {
  const match = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const [id, expires, signature] = [match[1]!, match[2]!, match[3]!];
  const expiresAt = Number(expires);
  if (expiresAt * 1000 <= now) return null;
  if (!(await verify(adminToken, "session", `${id}.${expires}`, signature))) return null;
  return sessionOf(adminToken, id, expiresAt);
}

export async function csrfMatches(adminToken: string, session: AdminSession, presented: string): Promise<boolean> {
  return verify(adminToken, "csrf", session.id, presented);
}

const cookieOptions = (scope: SessionScope) =>
  ({ path: scope.path, httpOnly: true, secure: true, sameSite: "Strict" }) as const;

export function setSessionCookie(c: Context, value: string, scope = ADMIN_SESSION): void {
  setCookie(c, scope.cookie, value, { ...cookieOptions(scope), maxAge: SESSION_TTL_S });
}

export function clearSessionCookie(c: Context, scope = ADMIN_SESSION): void {
  deleteCookie(c, scope.cookie, cookieOptions(scope));
}

export function sessionCookie(c: Context, scope = ADMIN_SESSION): string | undefined {
  return getCookie(c, scope.cookie);
}

/**
 * A state-changing request from another site: its Origin names another
 * origin (or "null"), or, without Origin, Sec-Fetch-Site says it is not ours.
 */
export function isCrossSite(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null) return origin !== new URL(request.url).origin;
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
}
