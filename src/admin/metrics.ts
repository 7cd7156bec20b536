import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import type { OriginHealthLabel } from "../origin/breaker";
import { shopperFacingState } from "../origin/failover";
import { COUNTERS, flushMetrics, metricsStub, type CounterName, type Labels } from "../metrics/counters";
import type { CounterRow } from "../metrics/metrics-object";
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE, type Family } from "../metrics/prometheus";
import { operatorStatus } from "../control/status";
import { queueDepth } from "../orders/queue";

const ORIGIN_STATES = ["up", "degraded", "down"] as const;
const MODES = ["auto", "maintenance"] as const;

/** One sample per origin state: 1 for `current`, 0 for the others. */
function oneHot(labels: Record<string, string>, current: OriginHealthLabel) {
  return ORIGIN_STATES.map((state) => ({ labels: { ...labels, state }, value: state === current ? 1 : 0 }));
}

function counterFamilies(shopId: string, rows: CounterRow[]): Family[] {
  return (Object.keys(COUNTERS) as CounterName[]).map((name) => ({
    name: `stayopen_${name}_total`,
    type: "counter",
    help: COUNTERS[name],
    samples: rows
      .filter((row) => row.name === name)
      .map((row) => ({ labels: { shop: shopId, ...(JSON.parse(row.labels) as Labels) }, value: row.value })),
  }));
}

/** Gauges come from the same deployment-wide sources as GET /__stayopen/admin/status, read at scrape time. */
async function gaugeFamilies(c: Context<AppEnv>): Promise<Family[]> {
  const shopId = c.get("shop").id;
  const [status, depth] = await Promise.all([operatorStatus(c), queueDepth(c.env, c.get("shop"))]);
  return [
    {
      name: "stayopen_origin_state",
      type: "gauge",
      help: "1 for the primary origin's current state (up, degraded, down), 0 for the others.",
      samples: oneHot({ shop: shopId }, status.origin.state),
    },
    {
      name: "stayopen_backup_state",
      type: "gauge",
      help: "1 for each backup origin's current state (up, degraded, down), 0 for the others.",
      samples: status.backups.flatMap((backup) => oneHot({ shop: shopId, origin: backup.url }, backup.state)),
    },
    {
      name: "stayopen_shop_state",
      type: "gauge",
      help: "1 for the shop's state as shoppers meet it, as the public status says: degraded while the primary is down and a backup answers.",
      samples: oneHot(
        { shop: shopId },
        shopperFacingState(
          status.origin.state,
          status.backups.map((backup) => backup.state),
        ),
      ),
    },
    {
      name: "stayopen_mode",
      type: "gauge",
      help: "1 for the current mode (auto, or maintenance forced by an operator), 0 for the other.",
      samples: MODES.map((mode) => ({ labels: { shop: shopId, mode }, value: mode === status.mode ? 1 : 0 })),
    },
    {
      name: "stayopen_queue_depth",
      type: "gauge",
      help: "Orders in the edge queue, by state.",
      samples: Object.entries(depth).map(([state, value]) => ({ labels: { shop: shopId, state }, value })),
    },
  ];
}

/** GET /__stayopen/admin/metrics: this isolate's counts are flushed first, then the deployment's sums are read. */
export async function metricsRoute(c: Context<AppEnv>): Promise<Response> {
  await flushMetrics(c.env);
  const [rows, gauges] = await Promise.all([metricsStub(c.env, c.get("shop").id).read(), gaugeFamilies(c)]);
  const body = formatPrometheus([...counterFamilies(c.get("shop").id, rows), ...gauges]);
  return c.body(body, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
}
