import { isTrackingParam } from "./key";
import type { Config } from "../config/schema";

/**
 * Which pages are safe to keep and show to everyone. A page is stored only when
 * both the request and the response say it is not personal; when in doubt, no.
 * A refusal names the rule that stopped it (`set_cookie:sid`, `private`,
 * `vary:cookie` …), so an operator reads what to change, not just "refused".
 */

export type ShareDecision = { shareable: true } | { shareable: false; reason: string };

const yes: ShareDecision = { shareable: true };
const no = (reason: string): ShareDecision => ({ shareable: false, reason });

/**
 * Cookie names in a Cookie header. Commas separate too: the runtime joins
 * repeated Cookie headers with ", ", and a session cookie hidden behind one
 * would make a personal page look anonymous. A comma inside a value only ever
 * adds a name, which can make a page private, never public.
 */
export function cookieNames(cookieHeader: string | null): string[] {
  if (!cookieHeader) return [];
  return cookieHeader
    .split(/[;,]/)
    .map((pair) => pair.split("=")[0]!.trim())
    .filter(Boolean);
}

/**
 * A cookie name as servers compare it: PHP and others URL-decode names, most
 * frameworks ignore case, some accept quotes, so `PHPSESS%49D`, `Shop_Session`
 * and `"session"` all reach the origin as the session cookie.
 */
export function cookieKey(name: string): string {
  let decoded = name.trim().replace(/^"(.*)"$/, "$1");
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // A malformed escape is kept as sent; servers that cannot decode it do not either.
  }
  return decoded.trim().toLowerCase();
}

/** The names set by a response's Set-Cookie headers, as sent (each header sets one cookie). */
export function setCookieNames(headers: Headers): string[] {
  return headers.getSetCookie().map((line) => line.split(";")[0]!.split("=")[0]!.trim());
}

/** A long or odd name in a rule would make an unbounded metrics label. */
const ruleName = (name: string) => name.slice(0, 40).replace(/[^\w.\-%]/g, "_");

/** A longer query is no catalog page anyone shares, and each distinct one would cost a stored copy. */
const MAX_QUERY_CHARS = 512;
const MAX_QUERY_PARAMS = 12;

type CookieRules = Pick<Config, "sessionCookies" | "anonymousCookies">;

/**
 * A logged-in shopper's page may look public, so their requests never feed
 * snapshots; neither does a request whose answer may depend on something the
 * snapshot key leaves out (tracking parameters an origin might echo), so
 * nobody can store a page under another page's key. A cookie the origin hands
 * every visitor (ANONYMOUS_COOKIES) is a session too once sent back: the
 * shopper may have logged in on it. Headers that rewrite the URL, host or
 * method never reach the origin (see toOriginRequest), so they need no rule here.
 */
export function requestIsShareable(request: Request, cookies: CookieRules): ShareDecision {
  if (request.method !== "GET") return no("method");
  const headers = request.headers;
  if (headers.has("authorization")) return no("authorization");
  if (headers.has("range")) return no("range");
  const sessions = [...cookies.sessionCookies, ...cookies.anonymousCookies];
  for (const sent of cookieNames(headers.get("cookie"))) {
    const session = sessions.find((name) => cookieKey(name) === cookieKey(sent));
    if (session) return no(`session_cookie:${session}`);
  }
  const queryAt = request.url.indexOf("?");
  if (queryAt !== -1) {
    const query = request.url.slice(queryAt + 1);
    if (query.length > MAX_QUERY_CHARS) return no("long_query");
    const names = [...new URLSearchParams(query).keys()];
    if (names.length > MAX_QUERY_PARAMS) return no("long_query");
    if (names.some(isTrackingParam)) return no("tracking_params");
  }
  return yes;
}

/**
 * Whether the origin's answer may become the page's snapshot. `anonymous`:
 * the request carried no cookie at all, so a Set-Cookie of only
 * ANONYMOUS_COOKIES names is the welcome every new visitor gets, not anything
 * personal; the snapshot never keeps Set-Cookie headers (see store.ts).
 */
export function responseIsShareable(
  response: Response,
  rules: { statuses: readonly number[]; anonymousCookies?: readonly string[] },
): ShareDecision {
  if (!rules.statuses.includes(response.status)) return no(`status:${response.status}`);
  return responseIsPublic(response, rules.anonymousCookies ?? []);
}

/**
 * Whether an answer that varies on request headers is the variant everyone
 * gets, since the key knows nothing of them: the request sent none of them
 * (a plain page view, not, say, a framework's data request), except an Accept
 * that takes HTML for an HTML page. Accept-Encoding never matters: the body is
 * stored decoded. So a request with `Accept: application/json` or
 * `Accept-Language: zz` cannot make its variant the page's snapshot.
 */
export function defaultVariant(request: Request, response: Response): ShareDecision {
  const html = (response.headers.get("content-type") ?? "").includes("text/html");
  for (const field of varyFields(response)) {
    if (field === "accept-encoding") continue;
    const sent = request.headers.get(field);
    if (sent === null) continue;
    if (field === "accept" && html && /text\/html|\*\/\*/.test(sent)) continue;
    return no(`vary:${ruleName(field)}`);
  }
  return yes;
}

function varyFields(response: Response): string[] {
  return (response.headers.get("vary") ?? "")
    .toLowerCase()
    .split(",")
    .map((field) => field.trim())
    .filter(Boolean);
}

/**
 * Cache controls aimed at CDNs (RFC 9213) and at surrogates: they speak for
 * this edge over Cache-Control, so an origin that marks a page no-store here
 * while its Cache-Control says max-age=300 means "never keep it at the edge".
 */
const TARGETED_CACHE_CONTROLS = ["cdn-cache-control", "cloudflare-cdn-cache-control", "surrogate-control"];
const NOT_KEPT = /(?:^|[\s,])(private|no-store|max-age\s*=\s*"?0+"?)(?=[\s,;]|$)/;

function refusingDirective(value: string | null): string | null {
  const match = value ? NOT_KEPT.exec(value.toLowerCase()) : null;
  return match ? match[1]!.replace(/\s|"/g, "").replace(/=0+$/, "=0") : null;
}

/**
 * Whether a response, whatever its status, may be handed to anyone who sent
 * the same request: not private, not varying per user, no cookie (except,
 * for a snapshot of a cookieless request, only `anonymousCookies`).
 * Without `anonymousCookies` (sharing one live answer among shoppers) any
 * Set-Cookie refuses: two shoppers must never get one session.
 */
export function responseIsPublic(response: Response, anonymousCookies: readonly string[] = []): ShareDecision {
  const headers = response.headers;
  if (headers.has("content-range")) return no("partial");
  const cacheControl = (headers.get("cache-control") ?? "").toLowerCase();
  if (/(^|[\s,])private([\s,=]|$)/.test(cacheControl)) return no("private");
  if (/(^|[\s,])no-store([\s,=]|$)/.test(cacheControl)) return no("no_store");
  for (const name of TARGETED_CACHE_CONTROLS) {
    const directive = refusingDirective(headers.get(name));
    if (directive) return no(`${name.replaceAll("-", "_")}:${directive}`);
  }
  const personal = varyFields(response).find(
    (field) => field === "*" || field === "cookie" || field === "authorization",
  );
  if (personal) return no(`vary:${personal}`);
  const anonymous = new Set(anonymousCookies.map(cookieKey));
  const blocking = setCookieNames(headers).filter((name) => !anonymous.has(cookieKey(name)));
  // All of them, so one change of ANONYMOUS_COOKIES (e.g. Laravel's XSRF-TOKEN and laravel_session) clears the rule.
  if (blocking.length > 0)
    return no(`set_cookie:${[...new Set(blocking.map((name) => ruleName(name) || "unnamed"))].join(",")}`);
  return yes;
}
