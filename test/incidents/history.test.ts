import { env as testEnv, runDurableObjectAlarm } from "cloudflare:test";
import { XMLValidator } from "fast-xml-parser";
import { parseAtomFeed } from "feedsmith";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import type { Incident, IncidentPage } from "../../src/incidents/incident";
import { COUNTERS_FRESH_MS } from "../../src/incidents/incident-log";
import { incidentLog } from "../../src/incidents/store";
import { forgetOriginHealth } from "../../src/origin/health";
import { monitorOf, stopMonitoredOrigin } from "../support/monitored-origin";
import { FakeOrigin, type RecordedRequest } from "../support/origin";
import { fastBreakerEnv } from "../support/breaker";
import { dispatch, type EnvOverrides } from "../support/worker";
import { flushMetrics } from "../../src/metrics/counters";

const TOKEN = "test-admin-token-0123456789";
const ADMIN = { authorization: `Bearer ${TOKEN}` };
const BASE = "https://shop.test/__stayopen";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let origin: FakeOrigin;
let receiver: FakeOrigin;
let hookPath: string;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  receiver = await FakeOrigin.start();
  hookPath = `/hooks/${crypto.randomUUID()}`;
});
afterEach(async () => {
  await stopMonitoredOrigin(origin);
  await receiver.stop();
  forgetOriginHealth();
});

const monitor = () => monitorOf(origin);

/** Orders retry only when a test says so; every incident is kept (INCIDENT_MIN_S 0). */
function envFor(overrides: EnvOverrides = {}): Env {
  return fastBreakerEnv(origin.url, {
    ORDER_PATHS: "POST /api/orders",
    ORDER_RETRY_BASE_MS: "600000",
    ORDER_RETRY_MAX_MS: "3600000",
    NOTIFY_WEBHOOK_URL: `${receiver.url}${hookPath}`,
    INCIDENT_MIN_S: "0",
    ...overrides,
  });
}

async function history(env: Env, query = ""): Promise<IncidentPage> {
  const response = await dispatch(`${BASE}/incidents.json${query}`, env);
  expect(response.status).toBe(200);
  return response.json();
}

/** The IncidentLog hears from the monitor in the background: waits until `check` holds. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (check(value)) return value;
    await sleep(20);
  }
  throw new Error("condition not met in time");
}

const record = (shopId: string, kind: Incident["kind"], phase: "began" | "ended", at: number, minS = 60) =>
  incidentLog(testEnv as Env, shopId).record({ shopId, kind, phase, at, minS });

describe("incident history", () => {
  it("records an outage the breaker sees, with the stale pages and orders it took, and ends it on recovery", async () => {
    const env = envFor();
    const path = `/p/${crypto.randomUUID().slice(0, 8)}`;
    expect((await dispatch(`https://shop.test${path}`, env)).headers.get("x-stayopen-source")).toBe("origin");
    const before = (await history(env)).incidents.map((incident) => incident.id);

    await origin.setMode({ mode: "refuse" });
    for (let i = 0; i < 3; i++)
      expect((await dispatch(`https://shop.test${path}`, env)).headers.get("x-stayopen-source")).toBe("stale");
    const order = await dispatch("https://shop.test/api/orders", env, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "tea", qty: 1 }),
    });
    expect(order.status).toBe(202);

    const open = await eventually(
      () => history(env),
      (page) => page.incidents.some((incident) => !before.includes(incident.id)),
    );
    const outage = open.incidents[0]!;
    expect(outage).toMatchObject({ kind: "outage", endedAt: null, title: "Shop system unreachable", updates: [] });
    // The isolate's counts reach the metrics in its next batch; the incident reads them from there.
    await flushMetrics(env);
    await sleep(COUNTERS_FRESH_MS);
    expect((await history(env)).incidents[0]!.impact).toEqual({
      staleServed: 3,
      ordersAccepted: 1,
      ordersDelivered: 0,
    });

    await origin.setMode({ mode: "ok" });
    await sleep(350);
    expect(await runDurableObjectAlarm(monitor())).toBe(true);
    const ended = await eventually(
      () => history(env),
      (page) => page.incidents.find((incident) => incident.id === outage.id)?.endedAt !== null,
    );
    const closed = ended.incidents.find((incident) => incident.id === outage.id)!;
    expect(Date.parse(closed.endedAt!)).toBeGreaterThan(Date.parse(closed.startedAt));
    expect(closed.impact.staleServed).toBe(3);
    expect(closed.impact.ordersAccepted).toBe(1);
  });

  it("merges flaps shorter than INCIDENT_MIN_S into one incident and leaves a lone blip out", async () => {
    const shopId = `flaps-${crypto.randomUUID().slice(0, 8)}`;
    const log = incidentLog(testEnv as Env, shopId);
    const t = Date.parse("2026-11-01T10:00:00Z");
    const shown = async () => (await log.list(shopId, { before: null, limit: 100 })).incidents;

    await record(shopId, "outage", "began", t);
    await record(shopId, "outage", "ended", t + 10_000);
    expect(await shown()).toEqual([]);

    // Ten seconds down, thirty up, ten down, … for two minutes: one incident from the first start to the last end.
    for (let start = t + 40_000; start < t + 120_000; start += 40_000) {
      await record(shopId, "outage", "began", start);
      await record(shopId, "outage", "ended", start + 10_000);
    }
    const merged = await shown();
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({
      kind: "outage",
      startedAt: new Date(t).toISOString(),
      endedAt: new Date(t + 90_000).toISOString(),
    });

    // A start long after the end is a new incident; a repeated start of an ongoing one is the same incident.
    await record(shopId, "outage", "began", t + 600_000);
    await record(shopId, "outage", "began", t + 610_000);
    await record(shopId, "maintenance", "began", t + 620_000);
    const after = await shown();
    expect(after.map((incident) => [incident.kind, incident.startedAt])).toEqual([
      ["maintenance", new Date(t + 620_000).toISOString()],
      ["outage", new Date(t + 600_000).toISOString()],
      ["outage", new Date(t).toISOString()],
    ]);
  });

  it("turns forced maintenance into an incident with the shoppers' message as its update", async () => {
    const env = envFor();
    const maintenance = (body: unknown) =>
      dispatch(`${BASE}/admin/maintenance`, env, {
        method: "POST",
        headers: { ...ADMIN, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await maintenance({ on: true, message: "Stocktake until noon" })).status).toBe(200);
    const open = await eventually(
      () => history(env),
      (page) => page.incidents[0]?.kind === "maintenance" && page.incidents[0].endedAt === null,
    );
    expect(open.incidents[0]).toMatchObject({
      title: "Closed for maintenance",
      updates: [{ message: "Stocktake until noon" }],
    });

    expect((await maintenance({ on: true, message: "Stocktake until one" })).status).toBe(200);
    expect((await maintenance({ on: false })).status).toBe(200);
    const closed = await eventually(
      () => history(env),
      (page) => page.incidents.find((incident) => incident.id === open.incidents[0]!.id)?.endedAt !== null,
    );
    const incident = closed.incidents.find((candidate) => candidate.id === open.incidents[0]!.id)!;
    expect(incident.updates.map((update) => update.message)).toEqual(["Stocktake until noon", "Stocktake until one"]);
  });

  it("pages incidents.json newest first, following next links, and refuses a bad page", async () => {
    const env = envFor();
    const t = Date.parse("2026-10-01T00:00:00Z");
    for (let i = 0; i < 5; i++) {
      await record("default", "outage", "began", t + i * 3_600_000, 0);
      await record("default", "outage", "ended", t + i * 3_600_000 + 120_000, 0);
    }
    const all = await history(env, "?limit=100");
    expect(all.incidents.length).toBeGreaterThanOrEqual(5);
    const starts = all.incidents.map((incident) => incident.startedAt);
    expect([...starts].sort().reverse()).toEqual(starts);

    const walked: string[] = [];
    let next: string | null = "/__stayopen/incidents.json?limit=2";
    while (next) {
      const page: IncidentPage = await history(env, next.slice("/__stayopen/incidents.json".length));
      expect(page.incidents.length).toBeLessThanOrEqual(2);
      walked.push(...page.incidents.map((incident) => incident.id));
      next = page.next;
    }
    expect(walked).toEqual(all.incidents.map((incident) => incident.id));

    for (const query of ["?limit=0", "?limit=abc", "?before=yesterday"]) {
      const response = await dispatch(`${BASE}/incidents.json${query}`, env);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    }
  });

  it("serves the history as an Atom feed that a feed parser reads, newest first", async () => {
    const env = envFor();
    const t = Date.parse("2026-09-01T00:00:00Z");
    await record("default", "maintenance", "began", t, 0);
    await record("default", "maintenance", "ended", t + 600_000, 0);
    const response = await dispatch(`${BASE}/incidents.atom`, env);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    const xml = await response.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = parseAtomFeed(xml);
    const json = await history(env, "?limit=100");
    expect(feed.entries?.map((entry) => entry.id)).toEqual(
      json.incidents.map((incident) => `https://shop.test/__stayopen/status#${incident.id}`),
    );
    expect(feed.links?.find((link) => link.rel === "self")?.href).toBe("https://shop.test/__stayopen/incidents.atom");
  });
});

describe("operator updates", () => {
  async function someIncident(): Promise<Incident> {
    const t = Date.now() - 3_600_000;
    await record("default", "outage", "began", t, 0);
    await record("default", "outage", "ended", t + 300_000, 0);
    return (await history(envFor(), "?limit=1")).incidents[0]!;
  }

  const call = (env: Env, method: string, path: string, body: string, headers: Record<string, string> = ADMIN) =>
    dispatch(`${BASE}/admin/incidents${path}`, env, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("refuses without the admin token, and refuses bad input with 400", async () => {
    const env = envFor();
    const incident = await someIncident();
    const json = JSON.stringify({ message: "Fixed", title: "Fixed" });
    expect((await call(env, "POST", `/${incident.id}/updates`, json, {})).status).toBe(401);
    expect(
      (await call(env, "PATCH", `/${incident.id}`, json, { authorization: "Bearer wrong-token-0123456789" })).status,
    ).toBe(401);
    for (const [method, path, body] of [
      ["POST", `/${incident.id}/updates`, JSON.stringify({ message: "   " })],
      ["POST", `/${incident.id}/updates`, JSON.stringify({})],
      ["POST", `/${incident.id}/updates`, JSON.stringify({ message: "x".repeat(2001) })],
      ["POST", `/${incident.id}/updates`, "{not json"],
      ["PATCH", `/${incident.id}`, JSON.stringify({ title: "" })],
      ["PATCH", `/${incident.id}`, JSON.stringify({ name: "Title" })],
    ] as const) {
      const response = await call(env, method, path, body);
      expect(response.status, `${method} ${body}`).toBe(400);
    }
    expect((await call(env, "POST", `/inc_${"0".repeat(32)}/updates`, json)).status).toBe(404);
    expect((await history(env, "?limit=100")).incidents.find((one) => one.id === incident.id)).toEqual(incident);
  });

  it("retitles an incident and posts an update, which also goes to NOTIFY_WEBHOOK_URL, signed", async () => {
    const env = envFor();
    const incident = await someIncident();
    const retitled = await call(env, "PATCH", `/${incident.id}`, JSON.stringify({ title: "Payment provider outage" }));
    expect(retitled.status).toBe(200);
    expect(await retitled.json()).toMatchObject({ id: incident.id, title: "Payment provider outage" });

    const posted = await call(
      env,
      "POST",
      `/${incident.id}/updates`,
      JSON.stringify({ message: "All orders are through." }),
    );
    expect(posted.status).toBe(200);
    const body = (await posted.json()) as Incident;
    expect(body.updates.map((update) => update.message)).toEqual(["All orders are through."]);

    let hooks: RecordedRequest[] = [];
    for (let i = 0; i < 100 && hooks.length === 0; i++) {
      await runDurableObjectAlarm(incidentLog(testEnv as Env, "default"));
      hooks = await receiver.requests(hookPath);
      if (hooks.length === 0) await sleep(20);
    }
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(hooks[0]!.body)).toEqual({
      type: "stayopen.incident_updated",
      shop: "default",
      incident: {
        id: incident.id,
        kind: "outage",
        title: "Payment provider outage",
        startedAt: incident.startedAt,
        endedAt: incident.endedAt,
      },
      update: body.updates[0],
    });

    const status = (await (await dispatch(`${BASE}/status.json`, env)).json()) as { incidents: Incident[] };
    expect(status.incidents.length).toBeLessThanOrEqual(10);
    expect(status.incidents.find((one) => one.id === incident.id)?.title).toBe("Payment provider outage");
    const page = await (await dispatch(`${BASE}/status`, env, { headers: { accept: "text/html" } })).text();
    expect(page).toContain("Payment provider outage");
    expect(page).toContain("All orders are through.");
    expect(page).toContain('href="/__stayopen/incidents.atom"');
    expect(page).not.toContain("<script");
  });

  it("lets a dashboard session retitle and post updates through its forms", async () => {
    const env = envFor();
    const incident = await someIncident();
    const same = { origin: "https://shop.test", "content-type": "application/x-www-form-urlencoded" };
    const login = await dispatch(`${BASE}/admin/login`, env, {
      method: "POST",
      headers: same,
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const dashboard = await (await dispatch(`${BASE}/admin`, env, { headers: { cookie, accept: "text/html" } })).text();
    expect(dashboard).toContain(`action="/__stayopen/admin/dashboard/incidents/${incident.id}/updates"`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(dashboard)![1]!;
    const form = (path: string, fields: Record<string, string>) =>
      dispatch(`${BASE}/admin/dashboard/incidents/${incident.id}/${path}`, env, {
        method: "POST",
        headers: { ...same, cookie },
        body: new URLSearchParams(fields).toString(),
      });

    expect((await form("title", { title: "Forged" })).status).toBe(403);
    const retitled = await form("title", { csrf, title: "Warehouse system down" });
    expect(retitled.status).toBe(303);
    expect((await form("updates", { csrf, message: "" })).status).toBe(400);
    expect((await form("updates", { csrf, message: "Orders are flowing again." })).status).toBe(303);
    const shown = (await history(env, "?limit=100")).incidents.find((one) => one.id === incident.id)!;
    expect(shown.title).toBe("Warehouse system down");
    expect(shown.updates.map((update) => update.message)).toEqual(["Orders are flowing again."]);
  });
});
