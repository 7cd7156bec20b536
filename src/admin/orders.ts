import { Hono, type Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { log } from "../log";
import { discardOrder, drainNow, listOrders, queueDepth, retryOrder } from "../orders/queue";
import { isOrderState, ORDER_STATES, type OrderAction } from "../orders/types";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/**
 * The operator's side of the order queue, mounted on the admin app (so always
 * behind the admin token): list orders by state, retry or discard any order
 * not yet delivered, replay everything now.
 */
export const ordersAdmin = new Hono<AppEnv>();

ordersAdmin.get("/orders", async (c) => {
  const state = c.req.query("state") ?? "dead";
  if (!isOrderState(state)) throw problem("invalid_state", `state must be one of ${ORDER_STATES.join(", ")}.`);
  const limitParam = c.req.query("limit") ?? String(DEFAULT_LIMIT);
  const limit = /^\d+$/.test(limitParam) ? Number(limitParam) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    throw problem("invalid_limit", `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  const [orders, depth] = await Promise.all([
    listOrders(c.env, c.get("shop"), state, limit),
    queueDepth(c.env, c.get("shop")),
  ]);
  // The newest `limit` of them: how many there are says whether a page holds them all.
  return c.json({ state, total: depth[state], truncated: depth[state] > orders.length, orders });
});

function answer(c: Context<AppEnv>, reference: string, action: OrderAction): Response {
  switch (action.outcome) {
    case "done":
      return c.json({ reference, state: action.state });
    case "not_found":
      return errorResponse(c, problem("not_found", "No order with this reference."));
    case "in_flight":
      return errorResponse(c, problem("in_flight", undefined, {}, { state: action.state }));
    case "finished":
      return errorResponse(
        c,
        problem(
          "not_pending",
          `Only orders not yet delivered can be retried or discarded; this order is ${action.state}.`,
          {},
          { state: action.state },
        ),
      );
  }
}

ordersAdmin.post("/orders/:reference/retry", async (c) => {
  const reference = c.req.param("reference").toLowerCase();
  return answer(c, reference, await retryOrder(c.env, c.get("shop"), reference));
});

ordersAdmin.post("/orders/:reference/discard", async (c) => {
  const reference = c.req.param("reference").toLowerCase();
  return answer(c, reference, await discardOrder(c.env, c.get("shop"), reference));
});

/** An operator's "deliver now", from the API or the dashboard: logged like every drain, then every shard replays. */
export async function operatorDrain(c: Context<AppEnv>): Promise<void> {
  log("info", "order_drain_started", { shop: c.get("shop").id, cause: "operator" });
  await drainNow(c.env, c.get("shop"));
}

ordersAdmin.post("/replay", async (c) => {
  await operatorDrain(c);
  return c.json({ status: "draining" }, 202);
});
