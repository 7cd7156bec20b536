import type { Context } from "hono";
import type { AppEnv } from "../env";
import { wantsJson } from "../http/negotiate";
import { renderPage } from "../shopper/render";
import { CheckoutProblemPage } from "./pages";

export const EDGE_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" } as const;
/**
 * The form and its review: Back shows the page again as it was, with the same form token, so placing
 * the order a second time from it is the same order. Never kept by a shared cache.
 */
export const FORM_PAGE_HEADERS = { ...EDGE_HEADERS, "cache-control": "private, no-cache" } as const;

/** A checkout that cannot go on, as JSON for API clients or a page for shoppers. */
export function checkoutProblem(
  c: Context<AppEnv>,
  status: 400 | 404 | 413 | 415 | 422 | 503,
  error: string,
  title: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const all = { ...EDGE_HEADERS, ...headers };
  if (wantsJson(c.req.raw)) return c.json({ error, message }, status, all);
  return renderPage(
    c,
    <CheckoutProblemPage
      config={c.get("shop").config}
      title={title}
      message={message}
      // Without a product list there is nothing to go back to choose from.
      offerList={error !== "catalog_unavailable" && error !== "checkout_not_offered"}
    />,
    status,
    all,
  );
}
