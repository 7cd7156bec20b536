import { Hono, type Context } from "hono";
import { applyMaintenance, issueBypass } from "../control";
import type { MaintenanceRequest } from "../../control/maintenance";
import type { AppEnv } from "../../config/env";
import { readFields } from "../../http/body";
import { postIncidentUpdate, retitleIncident, type IncidentChange } from "../../incidents/operator";
import { renderPage } from "../../shopper/render";
import { ADMIN_DOOR, loginRoutes } from "../auth";
import { dashboardData } from "./data";
import { DashboardPage } from "./page";
import { BypassIssuedPage, ProblemPage } from "./problem";
import { ORDER_NOTICES, orderActions } from "./order-actions";
import { ADMIN_BASE } from "../../http/wire";

/**
 * The operator dashboard: the admin API rendered as pages, with forms that
 * post to routes calling the same functions as the JSON API and then send
 * the operator back to the dashboard (post/redirect/get). Mounted on the admin
 * app, so requireAdmin() has already checked the session and, for every
 * post, the CSRF token and the Origin.
 */
export const dashboard = new Hono<AppEnv>();

const MAX_FORM_BYTES = 4096;

const NOTICES = {
  maintenance_on: "Maintenance is on: shoppers see the maintenance flow with your message.",
  maintenance_off: "Maintenance is off.",
  ...ORDER_NOTICES,
  incident_retitled: "The incident has its new title.",
  incident_updated: "The update is on the status page (and on its way to NOTIFY_WEBHOOK_URL, when set).",
} as const;

type Notice = keyof typeof NOTICES;

const done = (c: Context<AppEnv>, notice: Notice) => c.redirect(`${ADMIN_BASE}?done=${notice}`, 303);

function problem(c: Context<AppEnv>, status: 400 | 404 | 413 | 415, title: string, message: string): Response {
  return renderPage(c, <ProblemPage config={c.get("shop").config} title={title} message={message} />, status);
}

dashboard.get("/", async (c) => {
  const notice = NOTICES[c.req.query("done") as Notice] ?? null;
  const page = (
    <DashboardPage
      config={c.get("shop").config}
      data={await dashboardData(c)}
      csrf={c.get("adminSession")?.csrf ?? ""}
      notice={notice}
    />
  );
  return renderPage(c, page);
});

const login = loginRoutes(ADMIN_DOOR);
dashboard.get("/login", login.show);
dashboard.post("/login", login.logIn);
dashboard.post("/logout", login.logOut);

/** datetime-local sends "2026-11-26T18:00" with no zone; the form says it is UTC. */
function utcInstant(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)
    ? `${value}:00Z`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)
      ? `${value}Z`
      : value;
}

dashboard.post("/dashboard/maintenance", async (c) => {
  const form = await readFields(c.req.raw, MAX_FORM_BYTES);
  if (!form.ok) return problem(c, form.problem.status, "Maintenance not changed", form.problem.message);
  const { on, message = "", until } = form.fields;
  const body: MaintenanceRequest | Record<string, unknown> =
    on === "false" ? { on: false } : { on: true, message, ...(until ? { until: utcInstant(until) } : {}) };
  const applied = await applyMaintenance(c, body);
  if (!applied.ok) return problem(c, 400, "Maintenance not changed", applied.message);
  return done(c, on === "false" ? "maintenance_off" : "maintenance_on");
});

dashboard.post("/dashboard/bypass", async (c) => {
  const issued = await issueBypass(c);
  return renderPage(c, <BypassIssuedPage config={c.get("shop").config} issued={issued} />);
});

dashboard.route(
  "/dashboard",
  orderActions((c) => ({ url: ADMIN_BASE, config: c.get("shop").config })),
);

function incidentChanged(c: Context<AppEnv>, result: IncidentChange, notice: Notice): Response {
  switch (result.outcome) {
    case "done":
      return done(c, notice);
    case "not_found":
      return problem(c, 404, "No such incident", "No incident has this id.");
    case "invalid":
      return problem(c, 400, "Incident not changed", result.message);
  }
}

dashboard.post("/dashboard/incidents/:id/:action{title|updates}", async (c) => {
  const form = await readFields(c.req.raw, MAX_FORM_BYTES);
  if (!form.ok) return problem(c, form.problem.status, "Incident not changed", form.problem.message);
  const [shop, id] = [c.get("shop"), c.req.param("id")];
  return c.req.param("action") === "title"
    ? incidentChanged(c, await retitleIncident(c.env, shop, id, form.fields.title), "incident_retitled")
    : incidentChanged(c, await postIncidentUpdate(c.env, shop, id, form.fields.message), "incident_updated");
});
