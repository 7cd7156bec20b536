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
import { paymentState } from "../payments/ledger";
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

/**
 * GET /__stayopen/orders/:reference. The reference is the capability: a
 * malformed and an unknown one get the same 404. The page is never cached and
 * never passes its URL on as a Referer.
 */
export async function orderStatus(c: Context<AppEnv>): Promise<Response> {
  const headers = { "x-stayopen-source": "edge", "cache-control": "no-store", "referrer-policy": "no-referrer" };
  const reference = c.req.param("reference")?.toLowerCase() ?? "";
  const order = await getOrder(c.env, c.get("shop"), reference);
  const json = wantsJson(c.req.raw);
  if (!order) {
    if (json) return errorResponse(c, problem("not_found", "No order with this reference."), headers);
    return renderPage(c, <OrderNotFoundPage config={c.get("shop").config} />, 404, headers);
  }
  const view: OrderStatusView = {
    reference: order.reference,
    status: shopperStatus(order.state),
    queuedAt: order.queuedAt,
    deliveredAt: order.deliveredAt,
  };
  const summary = storedSummary(order.meta);
  const contents: OrderContents | null = summary && { items: summary.items, total: totalText(summary.total) };
  // Orders from the edge checkout have a payment record; others have none.
  const payment = await paymentLedger(c.env, c.get("shop").id).get(order.reference);
  if (json) {
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
    if (!payment) return c.json({ ...view, ...known, ...stopped }, 200, headers);
    const state = paymentState(payment);
    // An order stopped short of the shop asks for no payment, as its page says: no page to pay on.
    if (view.status === "needs_attention") delete state.url;
    return c.json({ ...view, ...known, ...stopped, payment: state }, 200, headers);
  }
  return renderPage(
    c,
    <OrderStatusPage
      config={c.get("shop").config}
      order={view}
      contents={contents}
      statusUrl={statusUrl(order.reference)}
      payment={payment}
      detail={{ discarded: order.state === "discarded" }}
    />,
    200,
    headers,
  );
}
