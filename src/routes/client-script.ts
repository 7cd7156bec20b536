import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../config/env";
import { pathPattern } from "../http/path-pattern";
import { CLIENT_SCRIPT_URL } from "./client-script-file";

/** Pages stayopen renders itself allow no script at all; an injected page of theirs must allow this one. */
const OWN_PAGES = new Set(["maintenance", "edge"]);

/**
 * The nonce a page's Content-Security-Policy gives its scripts, if any: with
 * a nonce-based policy ('strict-dynamic') a script without it would not run.
 */
export function scriptNonce(policy: string | null): string | null {
  if (!policy) return null;
  for (const directives of policy.split(",")) {
    const byName = new Map(
      directives
        .split(";")
        .map((directive) => directive.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map((parts) => [parts[0]!.toLowerCase(), parts.slice(1)] as const),
    );
    const sources = byName.get("script-src-elem") ?? byName.get("script-src") ?? byName.get("default-src") ?? [];
    for (const value of sources) {
      const nonce = /^'nonce-([A-Za-z0-9+/_=-]+)'$/.exec(value)?.[1];
      if (nonce) return nonce;
    }
  }
  return null;
}

/**
 * The page with `<script src="/__stayopen/client.js?v=…" defer>` as the
 * first child of its head (before the shop's own deferred scripts, so it
 * wraps fetch before they keep a reference to it); into the body when the
 * page has no head tag. The page's bytes change, so its ETag goes.
 */
export function withClientScript(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.delete("etag");
  headers.delete("content-length");
  const policy = headers.get("content-security-policy");
  if (policy && OWN_PAGES.has(headers.get("x-stayopen-source") ?? ""))
    headers.set("content-security-policy", `${policy}; script-src 'self'`);
  const nonce = scriptNonce(policy);
  const tag = `<script src="${CLIENT_SCRIPT_URL}" defer${nonce ? ` nonce="${nonce}"` : ""}></script>`;
  let injected = false;
  const inject = {
    element(element: Element) {
      if (injected) return;
      injected = true;
      element.prepend(tag, { html: true });
    },
  };
  const page = new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  return new HTMLRewriter().on("head", inject).on("body", inject).transform(page);
}

/**
 * CLIENT_SCRIPT_PATHS: GET pages on these paths get the checkout helper,
 * whatever served them (the origin, a backup, a snapshot, the maintenance
 * page), so a shopper whose order the shop's own script placed while the
 * origin was down is told it is safe. Nothing happens on other paths.
 *
 * @example CLIENT_SCRIPT_PATHS = "/checkout*" // /checkout, /checkout/payment, /checkout/success/…
 */
export function clientScript(): MiddlewareHandler<AppEnv> {
  return async function injectClientScript(c, next) {
    await next();
    const patterns = c.get("shop").config.clientScriptPaths;
    if (patterns.length === 0 || c.req.method !== "GET") return;
    const pathname = new URL(c.req.url).pathname;
    if (!patterns.some((pattern) => pathPattern(pattern).test(pathname))) return;
    if (!/^text\/html/i.test(c.res.headers.get("content-type") ?? "") || c.res.body === null) return;
    const injected = withClientScript(c.res);
    // Hono copies the old response's headers onto a new one: clear it first, or the ETag comes back.
    c.res = undefined;
    c.res = injected;
  };
}
