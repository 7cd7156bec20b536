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

/** A logged-in shopper's page may look public, so their requests never feed snapshots. */
export function requestIsShareable(request: Request, sessionCookies: readonly string[]): ShareDecision {
  if (request.method !== "GET") return no("method");
  if (request.headers.has("authorization")) return no("authorization");
  if (request.headers.has("range")) return no("range");
  const sent = cookieNames(request.headers.get("cookie"));
  if (sent.some((name) => sessionCookies.includes(name))) return no("session_cookie");
  return yes;
}

export function responseIsShareable(response: Response, allowedStatuses: readonly number[]): ShareDecision {
  if (!allowedStatuses.includes(response.status)) return no("status");
  return responseIsPublic(response);
}

/** Whether a response, whatever its status, may be handed to anyone: no cookie, not private, not varying per user. */
export function responseIsPublic(response: Response): ShareDecision {
  const headers = response.headers;
  if (headers.has("set-cookie")) return no("set_cookie");
  if (headers.has("content-range")) return no("partial");
  const cacheControl = (headers.get("cache-control") ?? "").toLowerCase();
  if (/(^|[\s,])(private|no-store)([\s,=]|$)/.test(cacheControl)) return no("cache_control");
  const vary = (headers.get("vary") ?? "")
    .toLowerCase()
    .split(",")
    .map((field) => field.trim());
  if (vary.some((field) => field === "*" || field === "cookie" || field === "authorization")) return no("vary");
  return yes;
}
