import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, isStayopenError, problem, type StayopenError } from "../http/errors";
import type { FeedProduct } from "../feed/schema";
import { readFields } from "../http/body";
import { wantsJson } from "../http/negotiate";
import { log } from "../log";
import { cardDataRefused, enqueueOrder } from "../orders/queue";
import { bodyContainsCardNumber, containsCardNumber } from "../http/card-scan";
import { paymentState, type PaymentState } from "../payments/ledger";
import { paymentProviders } from "../payments/providers";
import { type PaymentMethod, type PaymentProvider } from "../payments/provider";
import { paymentLedger } from "../payments/store";
import { renderPage } from "../shopper/render";
import { availableStock, confirmLines, releaseLines, reservationMeta, reserveLines } from "../stock/reserve";
import { checkoutContext, type Readiness } from "./context";
import {
  CHECKOUT_FIELDS,
  newFormToken,
  parseCheckout,
  REVIEW_FIELDS,
  REVIEW_STEP,
  type FieldErrors,
  type FormValues,
} from "./form";
import { edgeOrder, type EdgeOrder } from "./payload";
import { CheckoutPage } from "./pages";
import { checkoutProblem, EDGE_HEADERS, FORM_PAGE_HEADERS } from "./respond";
import { formatAsOf } from "../time";

const MAX_BODY_BYTES = 16 * 1024;

/** Same form token and same order ⇔ same reservation, so a resubmitted form never holds stock twice. */
async function reservationId(token: string, body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${token}\n${body}`)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
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
  { feed, shopState }: Readiness,
  product: FeedProduct,
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

/** Stock ran short: 409, the form again with how many are left (as of the feed), nothing held or queued. */
function outOfStock(
  c: Context<AppEnv>,
  context: Readiness,
  product: FeedProduct,
  values: FormValues,
  available: number,
): Promise<Response> | Response {
  const message =
    available === 0
      ? `Sorry, ${product.name} sold out while you were ordering.`
      : `Sorry, only ${available} of ${product.name} ${available === 1 ? "is" : "are"} left (as of ${formatAsOf(context.feed.storedAt)}). Lower the quantity or choose another product.`;
  if (wantsJson(c.req.raw)) {
    return errorResponse(c, problem("out_of_stock", message, {}, { sku: product.sku, available }), EDGE_HEADERS);
  }
  return rerender(c, context, product, { values, errors: {}, notice: message }, 409, available);
}

/**
 * The review step: the order as it would be placed, with its total for the chosen quantity, from
 * the feed as of its time. Reads the stock left, holds nothing, queues nothing.
 */
async function reviewOrder(
  c: Context<AppEnv>,
  context: Readiness,
  product: FeedProduct,
  order: EdgeOrder,
  values: FormValues,
  changed: boolean,
): Promise<Response> {
  const available = await availableStock(c.env, c.get("shop"), product.sku, {
    stock: product.stock,
    stockAsOf: context.feed.storedAt,
  });
  const qty = order.items[0]!.qty;
  if (available !== null && qty > available) return outOfStock(c, context, product, values, available);
  if (wantsJson(c.req.raw)) {
    const { items, total, currency, priceAsOf, stockAsOf } = order;
    return c.json({ status: "review", items, total, currency, priceAsOf, stockAsOf }, 200, EDGE_HEADERS);
  }
  return rerender(c, context, product, { values, errors: {}, review: { changed } }, 200, available);
}

/**
 * POST /__stayopen/checkout: validates the form, reserves the stock, queues
 * the order exactly like one posted to ORDER_PATHS, then sends the shopper to
 * the order's status page (or the payment provider's hosted checkout).
 * Oversell is a 409 and nothing is queued; a resubmitted form is the same order.
 */
export async function placeOrder(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const json = wantsJson(c.req.raw);
  const body = await readFields(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return checkoutProblem(c, body.problem, "We couldn't read that order");
  if (cardOutsideTheForm(c.req.url, body.fields)) {
    const message = "Card details can't be sent here. Remove them and pay once the shop confirms your order.";
    return checkoutProblem(c, problem("card_data_refused", message), "Card details can't be taken here");
  }
  const context = await checkoutContext(c);
  if (!context.ok) return context.response;
  const { feed, target } = context;
  const values = body.fields as FormValues;

  const product = values.sku === undefined ? undefined : feed.products.get(values.sku);
  if (!product) {
    return checkoutProblem(c, problem("unknown_sku"), "We couldn't find that product");
  }

  const providers = paymentProviders(shop);
  const methods = providers.map((provider) => provider.method) as [PaymentMethod, ...PaymentMethod[]];
  const parsed = parseCheckout({ payment: methods[0], ...values }, methods);
  if (!parsed.ok) {
    if (json) {
      const invalid = problem("invalid_order", "Some fields need attention.", {}, { fields: parsed.errors });
      return errorResponse(c, invalid, EDGE_HEADERS);
    }
    return rerender(c, context, product, { values, errors: parsed.errors }, 400);
  }
  const input = parsed.input;
  // What the shopper typed is scanned here; the rest of the order is the shop's own feed (an EAN as SKU may pass Luhn).
  if ([input.name, input.email, input.address].some(containsCardNumber)) {
    const refused = cardDataRefused();
    if (json) throw refused;
    return rerender(c, context, product, refusedForm(refused, values), 422);
  }
  const provider = providers.find((candidate) => candidate.method === input.payment) as PaymentProvider;

  const order = edgeOrder(
    product,
    input.qty,
    { name: input.name, email: input.email, address: input.address },
    { method: provider.method, status: provider.initialStatus },
    feed.storedAt,
  );
  // A review, or a final submit whose total is no longer the one reviewed (quantity changed since): shown, not placed.
  const { step, reviewed } = body.fields;
  if (step === REVIEW_STEP) return reviewOrder(c, context, product, order, values, false);
  if (reviewed !== undefined && reviewed !== String(order.total))
    return reviewOrder(c, context, product, order, values, true);
  const orderBody = JSON.stringify(order);
  // No token (a post not from our form): a new order of its own, like a keyless API order.
  const token = input.token ?? newFormToken();
  const reservation = await reservationId(token, orderBody);
  const skus = [product.sku];

  const reserved = await reserveLines(c.env, shop, reservation, [
    { sku: product.sku, qty: input.qty, stock: product.stock, stockAsOf: feed.storedAt },
  ]);
  if (!reserved.ok) return outOfStock(c, context, product, values, reserved.available);

  let queued;
  try {
    queued = await enqueueOrder(
      c.env,
      shop,
      {
        method: target.method,
        path: target.path,
        contentType: "application/json",
        body: orderBody,
        idempotencyKey: `stayopen-checkout-${token}`,
        meta: reservationMeta(reservation, skus),
      },
      { cardDataChecked: true },
    );
  } catch (error) {
    // Refused before anything was queued: the stock goes back. Any other failure keeps the hold until it lapses.
    if (!isStayopenError(error) || error.status >= 500) throw error;
    await releaseLines(c.env, shop, reservation, skus);
    if (json) throw error;
    return rerender(c, context, product, refusedForm(error, values), 422);
  }
  // From here on the order is queued: trouble with the steps after it must not turn into an error page.
  await confirmHold(c, reservation, queued.reference, skus);
  if (queued.created) {
    const fields = {
      shop: shop.id,
      reference: queued.reference,
      sku: product.sku,
      qty: input.qty,
      payment: provider.method,
    };
    log("info", "edge_checkout_queued", fields);
  }

  let payment: PaymentState;
  try {
    payment = await startPayment(c, provider, queued.reference, queued.statusUrl, order);
  } catch (error) {
    log("error", "payment_start_failed", { shop: shop.id, reference: queued.reference, error: String(error) });
    // Resubmitting the same form is the same order, and opens the payment step then.
    const notice = `Your order ${queued.reference} is saved, but the payment step could not be opened just now. Submit the form again in a moment to continue.`;
    if (!json && provider.method !== "later")
      return rerender(c, context, product, { values, errors: {}, notice, token }, 503);
    payment = { method: provider.method, status: provider.initialStatus };
  }
  const headers = { ...EDGE_HEADERS, "x-stayopen-source": "queued", location: queued.statusUrl };
  if (json) {
    // The order 202 as the contract has it; the payment is at the status URL, and a page to pay on in Link.
    const jsonHeaders: Record<string, string> = { ...headers };
    if (payment.url) jsonHeaders.link = `<${payment.url}>; rel="payment"`;
    return c.json({ status: "queued", reference: queued.reference, statusUrl: queued.statusUrl }, 202, jsonHeaders);
  }
  return c.body(null, 303, { ...headers, location: payment.url ?? queued.statusUrl });
}

/**
 * Makes the queued order's stock hold permanent. The order stays queued if
 * this fails; the hold would lapse after HOLD_MS and free the stock to others,
 * so it is tried once more in the background and logged for the operator.
 */
async function confirmHold(c: Context<AppEnv>, reservation: string, reference: string, skus: string[]): Promise<void> {
  const shop = c.get("shop");
  const confirm = () => confirmLines(c.env, shop, reservation, reference, skus);
  try {
    await confirm();
  } catch (error) {
    log("error", "stock_confirm_failed", { shop: shop.id, reference, error: String(error), retrying: true });
    c.executionCtx.waitUntil(
      confirm().catch((retryError) =>
        log("error", "stock_confirm_failed", { shop: shop.id, reference, error: String(retryError), retrying: false }),
      ),
    );
  }
}

/**
 * The form's own fields: each is checked by its rule (the typed ones for card
 * numbers too, with a field error, see `refusedForm`); the SKU must be the feed's.
 */
const FORM_FIELDS: ReadonlySet<string> = new Set([...CHECKOUT_FIELDS, ...REVIEW_FIELDS]);

/**
 * A card number in the query or in a field the form does not have: never
 * stored (only the form's fields make the order), but refused like on every
 * order route, so no client learns that card data may be sent here.
 */
function cardOutsideTheForm(url: string, fields: Record<string, string>): boolean {
  const query = new URL(url).search.slice(1);
  if (query !== "" && bodyContainsCardNumber(query, "form")) return true;
  return Object.entries(fields).some(([name, value]) => !FORM_FIELDS.has(name) && containsCardNumber(value));
}

/** The form after the queue refused the order: a card number is cleared from its field, never shown back. */
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

/** Opens the order's payment record and, for a hosted checkout, its one session (reused on resubmits). */
async function startPayment(
  c: Context<AppEnv>,
  provider: PaymentProvider,
  reference: string,
  statusUrl: string,
  order: EdgeOrder,
): Promise<PaymentState> {
  const ledger = paymentLedger(c.env, c.get("shop").id);
  const record = await ledger.open({
    reference,
    method: provider.method,
    status: provider.initialStatus,
    amount: order.total,
    currency: order.currency,
  });
  if (record.status !== "awaiting_payment" || record.sessionUrl) return paymentState(record);

  const started = await provider.start({
    shopId: c.get("shop").id,
    reference,
    returnUrl: new URL(statusUrl, c.req.url).toString(),
    email: order.customer.email,
    lines: order.items,
  });
  switch (started.kind) {
    case "redirect":
      await ledger.sessionStarted(reference, started.sessionId, started.url);
      return { method: record.method, status: record.status, url: started.url };
    case "failed":
      await ledger.linkNeeded(reference, started.reason);
      return { method: record.method, status: "pending_link" };
    case "nothing_to_do":
      return { method: record.method, status: record.status };
  }
}
