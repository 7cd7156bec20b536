import { networkFailureReason, type NetworkFailure } from "./classify";
import { BYPASS_COOKIE_HEADER_NAME, REPLAY_HEADERS } from "../http/wire";

export type FetchAttempt =
  | { kind: "response"; response: Response; elapsedMs: number }
  | { kind: "error"; reason: NetworkFailure; elapsedMs: number };

/**
 * Fetches with a deadline on the response headers only: once headers arrive the
 * body streams for as long as it takes, so large pages are never cut off.
 * Never throws for network trouble; the caller classifies the attempt.
 */
export async function fetchWithDeadline(request: Request, timeoutMs: number): Promise<FetchAttempt> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("origin did not answer in time", "TimeoutError")),
    timeoutMs,
  );
  try {
    const response = await fetch(request, { signal: controller.signal, redirect: "manual" });
    return { kind: "response", response, elapsedMs: Date.now() - started };
  } catch (error) {
    const reason = controller.signal.aborted ? "timeout" : networkFailureReason(error);
    return { kind: "error", reason, elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Origin URL → scheme, host and base path without its trailing slash; a handful per isolate, parsed once. */
const bases = new Map<string, string>();

function originBase(originUrl: string): string {
  let base = bases.get(originUrl);
  if (base === undefined) {
    const target = new URL(originUrl);
    base = `${target.origin}${target.pathname.replace(/\/+$/, "")}`;
    bases.set(originUrl, base);
  }
  return base;
}

/** The bypass cookie in a Cookie header, also where the runtime joined repeated headers with ", ". */
const BYPASS_COOKIE_PAIR = new RegExp(`(^|[;,])\\s*${BYPASS_COOKIE_HEADER_NAME}=[^;,]*`, "g");

/**
 * Headers origins and frameworks take as the real host, scheme, port, path or
 * method. The snapshot key sees none of them, so a client sending one could
 * make the origin answer another page under this page's key: they never reach
 * the origin from a client. The whole X-Forwarded-* family goes too; stayopen
 * sets X-Forwarded-Host, -Proto and -For itself.
 */
const SHAPING_HEADERS = new Set([
  "forwarded",
  "x-host",
  "x-original-host",
  "x-original-url",
  "x-rewrite-url",
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
  "x-url-scheme",
  "front-end-https",
]);
const isShaping = (name: string) => name.startsWith("x-forwarded-") || SHAPING_HEADERS.has(name);

/**
 * The shopper's request re-addressed to an origin, keeping method, headers and
 * body, except what only stayopen may say to the origin (the replay headers a
 * shop trusts, the forwarding headers above) and the staff bypass cookie (the
 * edge's credential, not the shop's).
 */
export function toOriginRequest(request: Request, originUrl: string, extraHeaders?: Record<string, string>): Request {
  const incoming = new URL(request.url);
  const upstream = new Request(`${originBase(originUrl)}${incoming.pathname}${incoming.search}`, request);
  const headers = upstream.headers;
  for (const name of [...headers.keys()].filter(isShaping)) headers.delete(name);
  const client = request.headers.get("cf-connecting-ip");
  if (client) headers.set("x-forwarded-for", client);
  headers.set("x-forwarded-host", incoming.host);
  headers.set("x-forwarded-proto", incoming.protocol.slice(0, -1));
  for (const name of REPLAY_HEADERS) headers.delete(name);
  const cookie = headers.get("cookie");
  if (cookie?.includes(BYPASS_COOKIE_HEADER_NAME)) {
    const rest = cookie.replace(BYPASS_COOKIE_PAIR, "").replace(/^[;,]\s*/, "");
    if (rest === "") headers.delete("cookie");
    else headers.set("cookie", rest);
  }
  if (extraHeaders) for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return upstream;
}
