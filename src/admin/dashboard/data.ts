import type { Context } from "hono";
import { countSnapshots } from "../../catalog/count";
import { operatorStatus } from "../../control";
import type { AppEnv } from "../../env";
import { queueDepth, type OrderState, type OrderView } from "../../orders";
import { listOrders } from "../../orders/queue";
import { publicOrigin, readinessReport, type ReadinessReport } from "../../readiness";

export type OperatorStatus = Awaited<ReturnType<typeof operatorStatus>>;

/** Everything the dashboard shows, from the same functions the JSON API answers with. */
export type DashboardData = {
  status: OperatorStatus;
  queue: Record<OrderState, number>;
  dead: OrderView[];
  readiness: ReadinessReport;
  snapshots: number;
};

const DEAD_LETTERS_SHOWN = 50;

export async function dashboardData(c: Context<AppEnv>): Promise<DashboardData> {
  const shop = c.get("shop");
  const [status, queue, dead, readiness, snapshots] = await Promise.all([
    operatorStatus(c),
    queueDepth(c.env, shop),
    // Both wait for the operator: refused by the shop, or still failing after the retry caps.
    Promise.all([
      listOrders(c.env, shop, "dead", DEAD_LETTERS_SHOWN),
      listOrders(c.env, shop, "needs_attention", DEAD_LETTERS_SHOWN),
    ]).then((lists) => lists.flat()),
    readinessReport(c.env, shop, publicOrigin(shop, c.req.url)!),
    countSnapshots(c.env, shop.id),
  ]);
  return { status, queue, dead, readiness, snapshots };
}
