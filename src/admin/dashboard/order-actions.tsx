import { Hono, type Context } from "hono";
import type { AppEnv } from "../../config/env";
import type { Config } from "../../config/schema";
import { discardOrder, retryOrder } from "../../orders/queue";
import { renderPage } from "../../shopper/render";
import { operatorDrain } from "../orders";
import { ProblemPage } from "./problem";

/** What the order actions tell the operator back on their dashboard (`?done=`). */
export const ORDER_NOTICES = {
  retried: "The order is queued for delivery again.",
  discarded: "The order was discarded.",
  replay: "Queued orders are being delivered now.",
} as const;

/** The notice for a page's `?done=` after an order action; null for anything else. */
export const orderNotice = (done: string | undefined): string | null =>
  done !== undefined && Object.hasOwn(ORDER_NOTICES, done) ? ORDER_NOTICES[done as keyof typeof ORDER_NOTICES] : null;

/** The forms' targets under a dashboard's `actions` path (where `orderActions` is mounted). */
export const orderActionUrl = (actions: string, reference: string, action: "retry" | "discard") =>
  `${actions}/orders/${reference}/${action}`;
export const replayUrl = (actions: string) => `${actions}/replay`;

/** The dashboard an action returns to, and whose name and colours its problem pages wear. */
export type DashboardHome = { url: string; config: Config };

/**
 * A dashboard's order buttons: retry or discard one order not yet delivered,
 * deliver the queue now, each calling the admin API's own functions for the
 * request's shop, then back to `home` (post/redirect/get) or a problem page
 * that links there. Mounted behind requireOperator, which has checked the
 * session, the Origin and the CSRF token of every post: on the admin
 * dashboard, and on the platform's page of a deleted shop.
 */
export function orderActions(home: (c: Context<AppEnv>) => DashboardHome): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const done = (c: Context<AppEnv>, notice: keyof typeof ORDER_NOTICES) =>
    c.redirect(`${home(c).url}?done=${notice}`, 303);
  const problem = (c: Context<AppEnv>, status: 404 | 409, title: string, message: string) => {
    const { url, config } = home(c);
    return renderPage(c, <ProblemPage config={config} title={title} message={message} back={url} />, status);
  };

  routes.post("/orders/:reference/:action{retry|discard}", async (c) => {
    const reference = c.req.param("reference").toLowerCase();
    const retry = c.req.param("action") === "retry";
    const result = await (retry ? retryOrder : discardOrder)(c.env, c.get("shop"), reference);
    switch (result.outcome) {
      case "done":
        return done(c, retry ? "retried" : "discarded");
      case "not_found":
        return problem(c, 404, "No such order", "No order has this reference.");
      case "in_flight":
        return problem(
          c,
          409,
          "Being sent",
          "This order is being sent to the shop right now; look again in a few seconds.",
        );
      case "finished":
        return problem(
          c,
          409,
          "Nothing to do",
          `Only orders not yet delivered can be retried or discarded; this order is ${result.state}.`,
        );
    }
  });

  routes.post("/replay", async (c) => {
    await operatorDrain(c);
    return done(c, "replay");
  });
  return routes;
}
