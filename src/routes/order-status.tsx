import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { wantsJson } from "../http/negotiate";
import {
  OrderNotFoundPage,
  type OrderContents,
  OrderStatusPage,
  type OrderStatusView,
  type ShopperOrderStatus,
} from "../shopper/order-status";
import { paymentState, type PaymentRecord } from "../payments/ledger";
import { paymentLedger } from "../payments/store";
import { renderPage } from "../shopper/render";
import { getOrder } from "../orders/queue";
import { statusUrl } from "../orders/reference";
import type { OrderState } from "../orders/types";
import { storedSummary, type OrderTotal } from "../orders/summary";
import { formatMoney } from "../checkout/money";

const NEEDS_ATTENTION_MESSAGE =
  "Your order could not be passed on to the shop automatically and is not confirmed yet. The shop's team has it and will contact you; quote your order reference if you contact the shop.";

/** What the shopper is told: in the queue or on its way, at the shop, or waiting for a person (dead or discarded). */
function shopperStatus(state: OrderState): ShopperOrderStatus {
  switch (state) {
    case "queued":
    case "delivering":
      return "queued";
    case "delivered":
      return "delivered";
    case "dead":
    case "needs_attention":
    case "discarded":
      return "needs_attention";
  }
}

/** A total the shopper can read: stayopen's own in the shop's currency, the shop's as its body wrote it. */
function totalText(total: OrderTotal | null): string | null {
  if (!total) return null;
  return "text" in total ? total.text : formatMoney(total.minor, total.currency);
}

/** What a reference leads to: nothing (unknown or malformed alike), or the order as the shopper may see it. */
type OrderLookup =
  | { found: false }
  | {
      found: true;
      view: OrderStatusView;
      contents: OrderContents | null;
      /** Orders from the edge checkout have a payment record; others have none. */
      payment: PaymentRecord | null;
      discarded: boolean;
    };

async function lookUpOrder(c: Context<AppEnv>): Promise<OrderLookup> {
  const reference = c.req.param("reference")?.toLowerCase() ?? "";
  const order = await getOrder(c.env, c.get("shop"), reference);
  if (!order) return { found: false };
  const view: OrderStatusView = {
    reference: order.reference,
    status: shopperStatus(order.state),
    queuedAt: order.queuedAt,
    deliveredAt: order.deliveredAt,
  };
  const summary = storedSummary(order.meta);
  const contents: OrderContents | null = summary && { items: summary.items, total: totalText(summary.total) };
  const payment = await paymentLedger(c.env, c.get("shop").id).get(order.reference);
  return { found: true, view, contents, payment, discarded: order.state === "discarded" };
}

const HEADERS = { "x-stayopen-source": "edge", "cache-control": "no-store", "referrer-policy": "no-referrer" };

/** The order as JSON: the same facts as the page, known contents only. */
function orderJson(c: Context<AppEnv>, lookup: OrderLookup): Response {
  if (!lookup.found) return errorResponse(c, problem("not_found", "No order with this reference."), HEADERS);
  const { view, contents, payment } = lookup;
  const { supportEmail } = c.get("shop").config;
  // Known contents only: no empty list or null total that could read as "nothing ordered".
  const known = {
    ...(contents?.items.length ? { items: contents.items } : {}),
    ...(contents?.total ? { total: contents.total } : {}),
  };
  // Said as plainly as on the page: not confirmed, and who gets in touch.
  const stopped =
    view.status === "needs_attention"
      ? {
          message: NEEDS_ATTENTION_MESSAGE,
          ...(supportEmail ? { supportEmail } : {}),
        }
      : {};
  if (!payment) return c.json({ ...view, ...known, ...stopped }, 200, HEADERS);
  const state = paymentState(payment);
  // An order stopped short of the shop asks for no payment, as its page says: no page to pay on.
  if (view.status === "needs_attention") delete state.url;
  return c.json({ ...view, ...known, ...stopped, payment: state }, 200, HEADERS);
}

function orderPage(c: Context<AppEnv>, lookup: OrderLookup): Promise<Response> | Response {
  const config = c.get("shop").config;
  if (!lookup.found) return renderPage(c, <OrderNotFoundPage config={config} />, 404, HEADERS);
  return renderPage(
    c,
    <OrderStatusPage
      config={config}
      order={lookup.view}
      contents={lookup.contents}
      statusUrl={statusUrl(lookup.view.reference)}
      payment={lookup.payment}
      detail={{ discarded: lookup.discarded }}
    />,
    200,
    HEADERS,
  );
}

/**
 * GET /__stayopen/orders/:reference. The reference is the capability: a
 * malformed and an unknown one get the same 404. The answer is never cached
 * and never passes its URL on as a Referer.
 */
export async function orderStatus(c: Context<AppEnv>): Promise<Response> {
  const lookup = await lookUpOrder(c);
  return wantsJson(c.req.raw) ? orderJson(c, lookup) : orderPage(c, lookup);
}
