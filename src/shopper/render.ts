import type { Context } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";

/** Renders a page component as a full HTML document (JSX output is escaped by default). */
export function renderPage(
  c: Context,
  page: JSX.Element,
  status: 200 | 202 | 400 | 401 | 404 | 409 | 413 | 415 | 422 | 429 | 503 = 200,
  headers: Record<string, string> = {},
): Response {
  return c.html(`<!doctype html>${page.toString()}`, status, { "cache-control": "no-store", ...headers });
}
