import type { Context } from "hono";
import { forcedNow } from "../control/controls";
import type { AppEnv } from "../config/env";
import { readFeed, type Feed } from "../feed/read";
import { originHealth } from "../origin/health";
import type { ShopState } from "./pages";
import { problem, type StayopenError } from "../http/errors";
import type { BodyErrorCode } from "../http/body";
import { orderTarget, type OrderTarget } from "../orders/order-paths";

/** What the checkout works from: the feed, where orders go, and the state of the shop's own system. */
export type Readiness = { feed: Feed; target: OrderTarget; shopState: ShopState };
export type CheckoutContext = ({ ok: true } & Readiness) | { ok: false; problem: CheckoutProblem };

/** The errors a checkout can stop at (each has a status a page can carry). */
export type CheckoutProblemCode =
  "checkout_not_offered" | "catalog_unavailable" | "unknown_sku" | "invalid_qty" | "card_data_refused" | BodyErrorCode;

/** A checkout that cannot go on: the error, and the heading of the page a shopper gets for it. */
export type CheckoutProblem = { error: StayopenError<CheckoutProblemCode>; title: string };

/** The edge checkout needs a configured feed, somewhere to send orders, and a feed it can read. */
export async function checkoutContext(c: Context<AppEnv>): Promise<CheckoutContext> {
  const config = c.get("shop").config;
  const target = orderTarget(config);
  if (!config.catalogFeedUrl || !target) {
    return { ok: false, problem: { error: problem("checkout_not_offered"), title: "Ordering here isn't offered" } };
  }
  const feed = await readFeed(c.env, c.get("shop"), new URL(c.req.url).host, (promise) =>
    c.executionCtx.waitUntil(promise),
  );
  if (!feed) {
    const unavailable = problem("catalog_unavailable", undefined, { "retry-after": String(config.retryAfterS) });
    return { ok: false, problem: { error: unavailable, title: "We can't take orders right now" } };
  }
  // Under forced maintenance the shop's pages are closed and orders wait, whatever the origin's health.
  const forced = (await forcedNow(c)) !== null;
  const shopState = forced ? "maintenance" : originHealth(c.get("shop")).admit() ? "up" : "down";
  return { ok: true, feed, target, shopState };
}
