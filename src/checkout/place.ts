import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { isStayopenError, problem, type StayopenError } from "../http/errors";
import type { FeedProduct } from "../feed/schema";
import { readFields } from "../http/body";
import { log } from "../log";
import { cardDataRefused, enqueueOrder } from "../orders/queue";
import { bodyContainsCardNumber, containsCardNumber } from "../http/card-scan";
import { paymentState, type PaymentState } from "../payments/ledger";
import { paymentProviders } from "../payments/providers";
import { type PaymentMethod, type PaymentProvider } from "../payments/provider";
import { paymentLedger } from "../payments/store";
import { availableStock, confirmLines, releaseLines, reservationMeta, reserveLines } from "../stock/reserve";
import { checkoutContext, type CheckoutProblem, type CheckoutProblemCode, type Readiness } from "./context";
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

const MAX_BODY_BYTES = 16 * 1024;

/** Same form token and same order ⇔ same reservation, so a resubmitted form never holds stock twice. */
async function reservationId(token: string, body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${token}\n${body}`)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The order form a placement came from, so it can be shown again as the shopper filled it in. */
export type OrderForm = { context: Readiness; product: FeedProduct; values: FormValues };

/**
 * What placing an edge-checkout order came to. One presenter (`respond.tsx`) turns it into JSON for
 * API clients or a page for shoppers; nothing here knows which of them asked.
 */
export type Placement =
  /** The checkout cannot go on (no product form to show again). */
  | { kind: "stopped"; problem: CheckoutProblem }
  /** Fields need attention; nothing held or queued. */
  | ({ kind: "invalid"; errors: FieldErrors } & OrderForm)
  /** Refused (a card number, a reused form): nothing held or queued. */
  | ({ kind: "refused"; error: StayopenError } & OrderForm)
  /** Stock ran short: nothing held or queued. */
  | ({ kind: "out_of_stock"; available: number } & OrderForm)
  /** The order as it would be placed, for the quantity asked (`changed`: not the total reviewed before). */
  | ({ kind: "review"; order: EdgeOrder; available: number | null; changed: boolean } & OrderForm)
  /** Queued; `paymentOpened` false when the payment step could not be opened just now. */
  | ({
      kind: "queued";
      reference: string;
      statusUrl: string;
      token: string;
      payment: PaymentState;
      paymentOpened: boolean;
    } & OrderForm);

const stopped = (error: StayopenError<CheckoutProblemCode>, title: string): Placement => ({
  kind: "stopped",
  problem: { error, title },
});

/**
 * The review step: the order as it would be placed, with its total for the chosen quantity, from
 * the feed as of its time. Reads the stock left, holds nothing, queues nothing.
 */
async function review(c: Context<AppEnv>, form: OrderForm, order: EdgeOrder, changed: boolean): Promise<Placement> {
  const available = await availableStock(c.env, c.get("shop"), form.product.sku, {
    stock: form.product.stock,
    stockAsOf: form.context.feed.storedAt,
  });
  const qty = order.items[0]!.qty;
  if (available !== null && qty > available) return { kind: "out_of_stock", ...form, available };
  return { kind: "review", ...form, order, available, changed };
}

/**
 * POST /__stayopen/checkout: validates the form, reserves the stock and queues
 * the order exactly like one posted to ORDER_PATHS. Oversell is `out_of_stock`
 * and nothing is queued; a resubmitted form is the same order.
 */
export async function placeEdgeOrder(c: Context<AppEnv>): Promise<Placement> {
  const shop = c.get("shop");
  const body = await readFields(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return stopped(body.problem, "We couldn't read that order");
  if (cardOutsideTheForm(c.req.url, body.fields)) {
    const message = "Card details can't be sent here. Remove them and pay once the shop confirms your order.";
    return stopped(problem("card_data_refused", message), "Card details can't be taken here");
  }
  const context = await checkoutContext(c);
  if (!context.ok) return { kind: "stopped", problem: context.problem };
  const { feed, target } = context;
  const values = body.fields as FormValues;

  const product = values.sku === undefined ? undefined : feed.products.get(values.sku);
  if (!product) return stopped(problem("unknown_sku"), "We couldn't find that product");
  const form: OrderForm = { context, product, values };

  const providers = paymentProviders(shop);
  const methods = providers.map((provider) => provider.method) as [PaymentMethod, ...PaymentMethod[]];
  const parsed = parseCheckout({ payment: methods[0], ...values }, methods);
  if (!parsed.ok) return { kind: "invalid", ...form, errors: parsed.errors };
  const input = parsed.input;
  // What the shopper typed is scanned here; the rest of the order is the shop's own feed (an EAN as SKU may pass Luhn).
  if ([input.name, input.email, input.address].some(containsCardNumber)) {
    return { kind: "refused", ...form, error: cardDataRefused() };
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
  if (step === REVIEW_STEP) return review(c, form, order, false);
  if (reviewed !== undefined && reviewed !== String(order.total)) return review(c, form, order, true);
  const orderBody = JSON.stringify(order);
  // No token (a post not from our form): a new order of its own, like a keyless API order.
  const token = input.token ?? newFormToken();
  const reservation = await reservationId(token, orderBody);
  const skus = [product.sku];

  const reserved = await reserveLines(c.env, shop, reservation, [
    { sku: product.sku, qty: input.qty, stock: product.stock, stockAsOf: feed.storedAt },
  ]);
  if (!reserved.ok) return { kind: "out_of_stock", ...form, available: reserved.available };

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
    return { kind: "refused", ...form, error };
  }
  // From here on the order is queued: trouble with the steps after it must not turn into an error.
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

  const placed = { kind: "queued", ...form, reference: queued.reference, statusUrl: queued.statusUrl, token } as const;
  try {
    const payment = await startPayment(c, provider, queued.reference, queued.statusUrl, order);
    return { ...placed, payment, paymentOpened: true };
  } catch (error) {
    log("error", "payment_start_failed", { shop: shop.id, reference: queued.reference, error: String(error) });
    // Resubmitting the same form is the same order, and opens the payment step then.
    return { ...placed, payment: { method: provider.method, status: provider.initialStatus }, paymentOpened: false };
  }
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
 * numbers too, with a field error: `refusedForm` in respond.tsx); the SKU must be the feed's.
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
