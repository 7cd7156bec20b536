import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, problem, type StayopenError } from "../http/errors";
import { wantsJson } from "../http/negotiate";
import { containsCardNumber } from "../http/card-scan";
import { paymentProviders } from "../payments/providers";
import { renderPage } from "../shopper/render";
import { availableStock } from "../stock/reserve";
import { formatAsOf } from "../time";
import type { CheckoutProblem } from "./context";
import { newFormToken, type FieldErrors, type FormValues } from "./form";
import { CheckoutPage, CheckoutProblemPage } from "./pages";
import type { OrderForm, Placement } from "./place";

export const EDGE_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" } as const;
/**
 * The form and its review: Back shows the page again as it was, with the same form token, so placing
 * the order a second time from it is the same order. Never kept by a shared cache.
 */
export const FORM_PAGE_HEADERS = { ...EDGE_HEADERS, "cache-control": "private, no-cache" } as const;

/** A checkout that cannot go on, as JSON for API clients or a page (headed `title`) for shoppers. */
export function checkoutProblem(c: Context<AppEnv>, { error, title }: CheckoutProblem): Response {
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

/** The one presenter of a placement: JSON for API clients, a page (or a redirect) for shoppers. */
export function respondToPlacement(c: Context<AppEnv>, placement: Placement): Response | Promise<Response> {
  return wantsJson(c.req.raw) ? placementJson(c, placement) : placementPage(c, placement);
}

function placementJson(c: Context<AppEnv>, placement: Placement): Response {
  switch (placement.kind) {
    case "stopped":
      return errorResponse(c, placement.problem.error, EDGE_HEADERS);
    case "invalid": {
      const invalid = problem("invalid_order", "Some fields need attention.", {}, { fields: placement.errors });
      return errorResponse(c, invalid, EDGE_HEADERS);
    }
    case "refused":
      return errorResponse(c, placement.error, EDGE_HEADERS);
    case "out_of_stock": {
      const { product, available } = placement;
      const details = { sku: product.sku, available };
      return errorResponse(c, problem("out_of_stock", outOfStockMessage(placement), {}, details), EDGE_HEADERS);
    }
    case "review": {
      const { items, total, currency, priceAsOf, stockAsOf } = placement.order;
      return c.json({ status: "review", items, total, currency, priceAsOf, stockAsOf }, 200, EDGE_HEADERS);
    }
    case "queued": {
      // The order 202 as the contract has it; the payment is at the status URL, and a page to pay on in Link.
      const { reference, statusUrl, payment } = placement;
      const headers: Record<string, string> = { ...queuedHeaders(statusUrl) };
      if (payment.url) headers.link = `<${payment.url}>; rel="payment"`;
      return c.json({ status: "queued", reference, statusUrl }, 202, headers);
    }
  }
}

function placementPage(c: Context<AppEnv>, placement: Placement): Response | Promise<Response> {
  switch (placement.kind) {
    case "stopped":
      return checkoutProblem(c, placement.problem);
    case "invalid":
      return rerender(c, placement, { values: placement.values, errors: placement.errors }, 400);
    case "refused":
      return rerender(c, placement, refusedForm(placement.error, placement.values), 422);
    case "out_of_stock": {
      const state = { values: placement.values, errors: {}, notice: outOfStockMessage(placement) };
      return rerender(c, placement, state, 409, placement.available);
    }
    case "review": {
      const state = { values: placement.values, errors: {}, review: { changed: placement.changed } };
      return rerender(c, placement, state, 200, placement.available);
    }
    case "queued": {
      const { reference, statusUrl, payment } = placement;
      // Paying later needs nothing opened now: the status page says the shop sends a link.
      if (!placement.paymentOpened && payment.method !== "later") {
        const notice = `Your order ${reference} is saved, but the payment step could not be opened just now. Submit the form again in a moment to continue.`;
        return rerender(c, placement, { values: placement.values, errors: {}, notice, token: placement.token }, 503);
      }
      return c.body(null, 303, { ...queuedHeaders(statusUrl), location: payment.url ?? statusUrl });
    }
  }
}

function queuedHeaders(statusUrl: string): Record<string, string> {
  return { ...EDGE_HEADERS, "x-stayopen-source": "queued", location: statusUrl };
}

/** What the shopper is told when stock ran short, as of the feed. */
function outOfStockMessage({ product, available, context }: OrderForm & { available: number }): string {
  return available === 0
    ? `Sorry, ${product.name} sold out while you were ordering.`
    : `Sorry, only ${available} of ${product.name} ${available === 1 ? "is" : "are"} left (as of ${formatAsOf(context.feed.storedAt)}). Lower the quantity or choose another product.`;
}

type FormState = {
  values: FormValues;
  errors: FieldErrors;
  notice?: string;
  token?: string;
  review?: { changed: boolean };
};

/** The form again, as the shopper filled it in, with what went wrong. */
async function rerender(
  c: Context<AppEnv>,
  { context: { feed, shopState }, product }: OrderForm,
  state: FormState,
  status: 200 | 400 | 409 | 422 | 503,
  available?: number | null,
): Promise<Response> {
  if (available === undefined)
    available = await availableStock(c.env, c.get("shop"), product.sku, {
      stock: product.stock,
      stockAsOf: feed.storedAt,
    });
  return renderPage(
    c,
    <CheckoutPage
      config={c.get("shop").config}
      product={product}
      feedStoredAt={feed.storedAt}
      available={available}
      shopState={shopState}
      providers={paymentProviders(c.get("shop"))}
      token={state.token ?? (state.values.token && !state.errors.token ? state.values.token : newFormToken())}
      values={state.values}
      errors={state.errors}
      notice={state.notice}
      review={state.review}
    />,
    status,
    // Only the payment step failing answers 503; it is worth another try soon. The review comes back on Back.
    status === 503 ? { ...EDGE_HEADERS, "retry-after": "10" } : status === 200 ? FORM_PAGE_HEADERS : EDGE_HEADERS,
  );
}

/** The form after the order was refused: a card number is cleared from its field, never shown back. */
function refusedForm(error: StayopenError, values: FormValues): FormState {
  if (error.code === "card_data_refused") {
    const errors: FieldErrors = {};
    const cleaned: FormValues = { ...values };
    for (const field of ["name", "email", "address"] as const) {
      if (values[field] !== undefined && containsCardNumber(values[field])) {
        cleaned[field] = "";
        errors[field] =
          "Remove the card number: card details can't be taken here. You pay once the shop confirms your order.";
      }
    }
    return { values: cleaned, errors, notice: error.message };
  }
  const notice =
    error.code === "idempotency_key_reused"
      ? "This form was already used to place an order with different details. Check the details below and submit again to place a new order."
      : error.message;
  return { values, errors: {}, notice, token: newFormToken() };
}
