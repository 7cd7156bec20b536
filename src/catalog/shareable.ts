import { isTrackingParam } from "./key";

/**
 * Which pages are safe to keep and show to everyone. A page is stored only when
 * both the request and the response say it is not personal; when in doubt, no.
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

/** Headers some origins and frameworks take as the real URL or method, which the snapshot key does not see. */
const REWRITE_HEADERS = [
  "forwarded",
  "x-original-url",
  "x-rewrite-url",
  "x-forwarded-prefix",
  "x-forwarded-path",
  "x-http-method-override",
];
/** A longer query is no catalog page anyone shares, and each distinct one would cost a stored copy. */
const MAX_QUERY_CHARS = 512;
const MAX_QUERY_PARAMS = 12;

/**
 * A logged-in shopper's page may look public, so their requests never feed
 * snapshots; neither does a request whose answer may depend on something the
 * snapshot key leaves out (tracking parameters an origin might echo, rewrite
 * headers), so nobody can store a page under another page's key.
 */
export function requestIsShareable(request: Request, sessionCookies: readonly string[]): ShareDecision {
  if (request.method !== "GET") return no("method");
  const headers = request.headers;
  if (headers.has("authorization")) return no("authorization");
  if (headers.has("range")) return no("range");
  if (REWRITE_HEADERS.some((name) => headers.has(name))) return no("rewrite_header");
  const sent = cookieNames(headers.get("cookie"));
  if (sent.some((name) => sessionCookies.includes(name))) return no("session_cookie");
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

export function responseIsShareable(response: Response, allowedStatuses: readonly number[]): ShareDecision {
  if (!allowedStatuses.includes(response.status)) return no("status");
  return responseIsPublic(response);
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
    return no("vary");
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
 * Whether a response, whatever its status, may be handed to anyone who sent
 * the same request: no cookie, not private, not varying per user.
 */
export function responseIsPublic(response: Response): ShareDecision {
  const headers = response.headers;
  if (headers.has("set-cookie")) return no("set_cookie");
  if (headers.has("content-range")) return no("partial");
  const cacheControl = (headers.get("cache-control") ?? "").toLowerCase();
  if (/(^|[\s,])(private|no-store)([\s,=]|$)/.test(cacheControl)) return no("cache_control");
  if (varyFields(response).some((field) => field === "*" || field === "cookie" || field === "authorization"))
    return no("vary");
  return yes;
}
