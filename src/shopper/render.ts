import type { Context } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";

/**
 * What every page stayopen renders may do: no scripts at all, its one
 * stylesheet and inline styles, images from anywhere (the shop's logo and
 * product pictures), never framed (clickjacking the dashboard or a checkout).
 */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src * data:; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

/** Renders a page component as a full HTML document (JSX output is escaped by default). */
export function renderPage(
  c: Context,
  page: JSX.Element,
  status: 200 | 202 | 400 | 401 | 404 | 409 | 413 | 415 | 422 | 429 | 503 = 200,
  headers: Record<string, string> = {},
): Response {
  return c.html(`<!doctype html>${page.toString()}`, status, {
    "cache-control": "no-store",
    ...PAGE_HEADERS,
    ...headers,
  });
}
