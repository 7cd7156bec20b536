import type { Context } from "hono";
import { countSnapshots } from "../../catalog/count";
import type { AppEnv, Env } from "../../config/env";
import type { Shop } from "../../config/shop";
import type { Incident } from "../../incidents/incident";
import { incidentLog } from "../../incidents/store";
import { listOrders, queueDepth } from "../../orders/queue";
import { operatorStatus } from "../../control/status";
import { type OrderState, type OrderView } from "../../orders/types";
import { publicOrigin } from "../../coverage/targets";
import { readinessReport, type ReadinessReport } from "../../readiness/report";

export type OperatorStatus = Awaited<ReturnType<typeof operatorStatus>>;

/** Everything the dashboard shows, from the same functions the JSON API answers with. */
export type DashboardData = {
  status: OperatorStatus;
  queue: Record<OrderState, number>;
  dead: OrderView[];
  readiness: ReadinessReport;
  snapshots: number;
  incidents: Incident[];
};

/** As many as a dashboard lists of each state (the JSON API pages through the rest). */
export const DEAD_LETTERS_SHOWN = 50;
const INCIDENTS_SHOWN = 10;

/** Orders waiting for the operator: refused by the shop, or still failing after the retry caps (newest first per state). */
export async function ordersAwaitingOperator(env: Env, shop: Shop): Promise<OrderView[]> {
  const lists = await Promise.all([
    listOrders(env, shop, "dead", DEAD_LETTERS_SHOWN),
    listOrders(env, shop, "needs_attention", DEAD_LETTERS_SHOWN),
  ]);
  return lists.flat();
}

export async function dashboardData(c: Context<AppEnv>): Promise<DashboardData> {
  const shop = c.get("shop");
  const [status, queue, dead, readiness, snapshots, incidents] = await Promise.all([
    operatorStatus(c),
    queueDepth(c.env, shop),
    ordersAwaitingOperator(c.env, shop),
    readinessReport(c.env, shop, publicOrigin(shop, c.req.url)!),
    countSnapshots(c.env, shop.id),
    incidentLog(c.env, shop.id).list(shop.id, { before: null, limit: INCIDENTS_SHOWN }),
  ]);
  return { status, queue, dead, readiness, snapshots, incidents: incidents.incidents };
}
