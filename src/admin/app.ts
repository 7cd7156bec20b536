import { Hono } from "hono";
import { countSnapshots } from "../catalog/count";
import type { AppEnv } from "../config/env";
import { exportSubscribers } from "./subscribers-export";
import { operatorAnswers, requireAdmin } from "./auth";
import { controlAdmin } from "./control";
import { operatorStatus } from "../control/status";
import { metricsRoute } from "./metrics";
import { ordersAdmin } from "./orders";
import { queueDepth } from "../orders/queue";
import { readinessRoute } from "./readiness";
import { staticBackupStatus } from "../static-backup/status";
import { dashboard } from "./dashboard/routes";
import { incidentsAdmin } from "./incidents";

/**
 * The operator API under /__stayopen/admin: JSON in, JSON out, always behind
 * the admin token (or a dashboard session), and the dashboard that renders it
 * as pages. Feature areas mount their own routes here.
 */
export const admin = new Hono<AppEnv>();

admin.use("*", requireAdmin());
admin.use("*", operatorAnswers());

admin.get("/status", async (c) => {
  const [operator, queue, snapshots, staticBackup] = await Promise.all([
    operatorStatus(c),
    queueDepth(c.env, c.get("shop")),
    countSnapshots(c.env, c.get("shop").id),
    staticBackupStatus(c.env, c.get("shop")),
  ]);
  // Unusable variables, each named: the features they configure are off until corrected.
  const configProblems = c.get("shop").config.problems;
  return c.json({ ...operator, queue, snapshots, staticBackup, configProblems });
});

admin.get("/subscribers.csv", exportSubscribers);
admin.get("/readiness", readinessRoute);
admin.get("/metrics", metricsRoute);
admin.route("/", ordersAdmin);
admin.route("/", controlAdmin);
admin.route("/", incidentsAdmin);
admin.route("/", dashboard);
