import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, type StayopenError } from "../http/errors";
import type { BodyErrorCode } from "../http/body";
import { wantsJson } from "../http/negotiate";
import { renderPage } from "../shopper/render";
import { CheckoutProblemPage } from "./pages";

export const EDGE_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" } as const;
/**
 * The form and its review: Back shows the page again as it was, with the same form token, so placing
 * the order a second time from it is the same order. Never kept by a shared cache.
 */
export const FORM_PAGE_HEADERS = { ...EDGE_HEADERS, "cache-control": "private, no-cache" } as const;

/** The errors a checkout page can stop at (each has a status a page can carry). */
type CheckoutProblemCode =
  "checkout_not_offered" | "catalog_unavailable" | "unknown_sku" | "invalid_qty" | "card_data_refused" | BodyErrorCode;

/** A checkout that cannot go on, as JSON for API clients or a page (headed `title`) for shoppers. */
export function checkoutProblem(
  c: Context<AppEnv>,
  error: StayopenError<CheckoutProblemCode>,
  title: string,
): Response {
  if (wantsJson(c.req.raw)) return errorResponse(c, error, EDGE_HEADERS);
  return renderPage(
    c,
    <CheckoutProblemPage
      config={c.get("shop").config}
      title={title}
      message={error.message}
      // Without a product list there is nothing to go back to choose from.
      offerList={error.code !== "catalog_unavailable" && error.code !== "checkout_not_offered"}
    />,
    error.status,
    { ...EDGE_HEADERS, ...error.headers },
  );
}
