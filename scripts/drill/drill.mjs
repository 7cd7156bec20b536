// The outage drill: against a running stayopen (local or deployed) it forces
// maintenance for a short window that ends by itself, checks what shoppers
// would get during a real outage, restores, and reports the readiness score with one list of what to fix.
// It never leaves the shop in maintenance: restore on exit, SIGINT and SIGTERM,
// and the window's `until` ends it even if this process is killed.
import { randomBytes, randomUUID } from "node:crypto";
import { createChecks, expect } from "../lib/checks.mjs";
import { isCatchAll404 } from "../lib/features.mjs";
import { json, request } from "../lib/http.mjs";

const WEIGHTS = {
  status: 10,
  maintenanceOn: 10,
  statusMode: 5,
  pages: 35,
  maintenancePage: 15,
  jsonError: 5,
  orders: 10,
  restore: 10,
};
const TIMEOUT_MS = 15_000;
const DEFAULT_ORDER_BODY = {
  sku: "COF-YIRG-250",
  qty: 1,
  name: "Outage drill",
  email: "drill@example.com",
  address: "Drill test order: please cancel",
  drill: true,
};

/**
 * @param {{url: string, token: string, minutes: number, paths?: string[], withTestOrder?: boolean,
 *   orderBody?: object, orderPath?: string, print?: (line: string) => void}} options
 * @returns {Promise<{score: number, failed: number, fixes: string[]}>}
 */
export async function runDrill({
  url,
  token,
  minutes = 3,
  paths,
  withTestOrder = false,
  orderBody = DEFAULT_ORDER_BODY,
  orderPath,
  print = console.log,
}) {
  const base = url.replace(/\/+$/, "");
  const admin = { authorization: `Bearer ${token}`, accept: "application/json" };
  const checks = createChecks("drill", { print });
  const weights = new Map();
  const fixes = [];
  const check = async (name, weight, fix, fn) => {
    weights.set(name, weight);
    const ok = await checks.check(name, fn);
    if (!ok && fix && checks.results.at(-1).outcome === "failed") fixes.push(typeof fix === "function" ? fix() : fix);
    return ok;
  };

  print(`stayopen outage drill: ${base} (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC)`);

  // ---- before: can we talk to it, and is it ours to drill? --------------------
  const adminStatus = await request(`${base}/__stayopen/admin/status`, { headers: admin, timeoutMs: TIMEOUT_MS });
  if (adminStatus.status === 0) throw new DrillError(`cannot reach ${base}: ${adminStatus.error}`);
  if (adminStatus.status === 401)
    throw new DrillError("the admin token was refused (401): pass the shop's ADMIN_TOKEN with --token");
  if (adminStatus.status === 404)
    throw new DrillError("the admin API is off (404): set the ADMIN_TOKEN secret on the worker first");
  if (adminStatus.status !== 200) throw new DrillError(`GET /__stayopen/admin/status answered ${adminStatus.status}`);

  const before = json((await request(`${base}/__stayopen/status.json`, { timeoutMs: TIMEOUT_MS })).text);
  await check(
    "public status JSON has the contract's shape",
    WEIGHTS.status,
    "Fix /__stayopen/status.json to answer the documented shape.",
    async () => {
      expect(before, "GET /__stayopen/status.json did not answer JSON");
      expect(["up", "degraded", "down"].includes(before.origin), `origin is ${JSON.stringify(before.origin)}`);
      expect(["auto", "maintenance"].includes(before.mode), `mode is ${JSON.stringify(before.mode)}`);
      expect(
        typeof before.since === "string" && !Number.isNaN(Date.parse(before.since)),
        `since is ${JSON.stringify(before.since)}`,
      );
      expect(before.message === null || typeof before.message === "string", "message is neither null nor a string");
      expect(Number.isInteger(before.queuedOrders), `queuedOrders is ${JSON.stringify(before.queuedOrders)}`);
      return `origin ${before.origin}, mode ${before.mode}, ${before.queuedOrders} queued orders`;
    },
  );
  if (before?.mode === "maintenance")
    throw new DrillError("the shop is already in maintenance; the drill leaves a running incident alone");

  const readinessRes = await request(`${base}/__stayopen/admin/readiness`, { headers: admin, timeoutMs: 60_000 });
  const readiness = readinessRes.status === 200 ? json(readinessRes.text) : null;
  if (!readiness)
    print(
      `  (no readiness report: GET /__stayopen/admin/readiness answered ${readinessRes.status}${isCatchAll404(readinessRes.status, readinessRes.text) ? ", not built yet" : ""})`,
    );
  const criticalPaths =
    paths ??
    readiness?.pages?.filter((p) => p.kind === "critical").map((p) => p.path) ??
    (readiness?.pages ?? []).map((p) => p.path).slice(0, 20);
  const targets = criticalPaths?.length ? criticalPaths : ["/"];

  // ---- force maintenance, with a window that ends by itself -------------------
  const until = new Date(Date.now() + minutes * 60_000).toISOString();
  const message = `Outage drill in progress until ${until.slice(11, 16)} UTC. Orders placed now are kept and passed on.`;
  let forced = false;
  let restored = false;
  // The "on" request once sent: an interrupt while it is on its way waits for it, then turns maintenance off
  // whatever it answered (the drill refuses to start in maintenance, so "off" only undoes the drill's own).
  let turningOn = null;
  async function restore() {
    if (turningOn) await turningOn;
    if ((!forced && !turningOn) || restored) return true;
    const res = await request(`${base}/__stayopen/admin/maintenance`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ on: false }),
      timeoutMs: TIMEOUT_MS,
    });
    restored = res.status === 200;
    if (!restored)
      print(`  WARNING: turning maintenance off answered ${res.status || res.error}; it ends by itself at ${until}`);
    return restored;
  }
  const onSignal = (signal) => {
    print(`\ndrill: ${signal}: ending forced maintenance before exiting …`);
    restore().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    turningOn = request(`${base}/__stayopen/admin/maintenance`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ on: true, message, until }),
      timeoutMs: TIMEOUT_MS,
    });
    const on = await turningOn;
    if (isCatchAll404(on.status, on.text)) {
      checks.pending("force maintenance for the drill window", {
        name: "maintenance",
        route: "POST /__stayopen/admin/maintenance",
        issue: 5,
      });
      weights.set("force maintenance for the drill window", 0);
    } else {
      forced = on.status === 200;
      await check(
        "force maintenance for the drill window",
        WEIGHTS.maintenanceOn,
        "Make POST /__stayopen/admin/maintenance work (see the admin API).",
        async () => {
          expect(forced, `POST /__stayopen/admin/maintenance answered ${on.status}: ${on.text.slice(0, 200)}`);
          return `ends by itself at ${until}`;
        },
      );
    }

    if (forced) {
      const during = json((await request(`${base}/__stayopen/status.json`, { timeoutMs: TIMEOUT_MS })).text);
      await check(
        "status JSON reports maintenance and the incident message",
        WEIGHTS.statusMode,
        "The public status must say mode maintenance with the message.",
        async () => {
          expect(during?.mode === "maintenance", `mode is ${JSON.stringify(during?.mode)}`);
          expect(during?.message === message, `message is ${JSON.stringify(during?.message)}`);
        },
      );

      const covered = [];
      const missing = [];
      for (const path of targets) {
        const res = await request(base + path, { headers: { accept: "text/html" }, timeoutMs: TIMEOUT_MS });
        const source = res.headers.get("x-stayopen-source");
        const html = (res.headers.get("content-type") ?? "").includes("text/html");
        if (res.status === 200 && source === "stale" && (!html || res.text.includes("data-stayopen-banner")))
          covered.push(path);
        else {
          // The rule that stopped the page's last pre-warm, from the readiness report (e.g. set_cookie:sid).
          const refused = readiness?.pages?.find((p) => p.path === path)?.refused;
          missing.push(
            `${path} (${`${res.status || res.error} ${source ?? ""}`.trim()}${refused ? `; not stored: ${refused}` : ""})`,
          );
        }
      }
      await check(
        `critical pages served stale during the outage (${covered.length}/${targets.length})`,
        WEIGHTS.pages * (targets.length ? 1 : 0),
        () =>
          `Get a snapshot for ${missing.join(", ")}: browse them while the origin is up, or set SHOP_URL so the cron pre-warms CRITICAL_PATHS; a page "not stored" names the rule that stopped it (see docs/storefront-snapshots.md).`,
        async () => {
          expect(missing.length === 0, `shoppers would get no page for: ${missing.join(", ")}`);
          return covered.join(", ");
        },
      );

      const probe = `/stayopen-drill-${randomBytes(6).toString("hex")}`;
      const page = await request(base + probe, { headers: { accept: "text/html" }, timeoutMs: TIMEOUT_MS });
      await check(
        "maintenance page: 503, Retry-After, no-store, branded, shows the message",
        WEIGHTS.maintenancePage,
        "Fix the maintenance page (status, headers or content).",
        async () => {
          expect(page.status === 503, `a page without snapshot answered ${page.status || page.error}`);
          expect(
            page.headers.get("x-stayopen-source") === "maintenance",
            `X-Stayopen-Source is ${page.headers.get("x-stayopen-source")}`,
          );
          expect(/^\d+$/.test(page.headers.get("retry-after") ?? ""), "no numeric Retry-After");
          expect(
            /no-store/.test(page.headers.get("cache-control") ?? ""),
            `Cache-Control is ${page.headers.get("cache-control")}`,
          );
          expect(/<html[^>]+lang=/i.test(page.text), "the page has no <html lang>");
          expect(
            page.text.includes(escapeHtml(message)) || page.text.includes(message),
            "the incident message is not on the page",
          );
          return `Retry-After ${page.headers.get("retry-after")}`;
        },
      );
      const api = await request(base + probe, { headers: { accept: "application/json" }, timeoutMs: TIMEOUT_MS });
      await check(
        "API clients get the JSON 503",
        WEIGHTS.jsonError,
        'JSON clients must get {"error":"origin_unavailable","retryAfter":N}.',
        async () => {
          const body = json(api.text);
          expect(
            api.status === 503 && body?.error === "origin_unavailable" && Number.isInteger(body?.retryAfter),
            `answered ${api.status}: ${api.text.slice(0, 120)}`,
          );
        },
      );
    }

    // ---- orders: configured, and (only when asked) one real test order ----------
    const orderCheck = readiness?.checks?.find((c) => c.name === "order_paths");
    if (!withTestOrder) {
      await check(
        "order paths are configured to queue",
        WEIGHTS.orders,
        "Set ORDER_PATHS to the shop's order endpoints.",
        async () => {
          expect(
            orderCheck,
            "no readiness report to read ORDER_PATHS from; pass --with-test-order to test by placing one",
          );
          expect(orderCheck.ok, orderCheck.detail);
          return `${orderCheck.detail} (no test order placed; pass --with-test-order to place one)`;
        },
      );
    } else {
      // The readiness detail reads "Orders are queued at POST /api/orders, …." : the first path, without the sentence's punctuation.
      const configured = /(?:POST|PUT|PATCH) (\/\S*)/.exec(orderCheck?.detail ?? "")?.[1]?.replace(/[.,;]+$/, "");
      const path = orderPath ?? configured ?? "/api/orders";
      await check(
        `a test order on POST ${path} is queued (202) with a status page`,
        WEIGHTS.orders,
        "Orders must be queued (202 with reference and statusUrl) while the origin is unavailable.",
        async () => {
          expect(forced, "maintenance was not forced, so the order would go to the live shop: not sent");
          const res = await request(base + path, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json",
              "idempotency-key": `drill-${randomUUID()}`,
              "x-stayopen-drill": "1",
            },
            body: JSON.stringify(orderBody),
            timeoutMs: TIMEOUT_MS,
          });
          const body = json(res.text);
          expect(
            res.status === 202 && body?.status === "queued" && body?.reference && body?.statusUrl,
            `answered ${res.status}: ${res.text.slice(0, 200)}`,
          );
          const status = json(
            (await request(base + body.statusUrl, { headers: { accept: "application/json" }, timeoutMs: TIMEOUT_MS }))
              .text,
          );
          expect(status?.status === "queued", `its status page says ${JSON.stringify(status)}`);
          return `reference ${body.reference.slice(0, 8)}…: it WILL reach the shop after the drill; cancel it there`;
        },
      );
    }
  } finally {
    if (forced) {
      const ok = await restore();
      const after = json((await request(`${base}/__stayopen/status.json`, { timeoutMs: TIMEOUT_MS })).text);
      checks.record(
        "maintenance ended, the shop is back to normal",
        ok && after?.mode === "auto",
        `mode ${after?.mode}`,
      );
      weights.set("maintenance ended, the shop is back to normal", WEIGHTS.restore);
      if (!(ok && after?.mode === "auto"))
        fixes.push(
          `End maintenance now: POST ${base}/__stayopen/admin/maintenance {"on":false} (it also ends by itself at ${until}).`,
        );
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  // ---- the report ---------------------------------------------------------------
  let total = 0;
  let met = 0;
  for (const result of checks.results) {
    if (result.outcome === "skipped") continue;
    const weight = weights.get(result.name) ?? 0;
    total += weight;
    if (result.outcome === "passed") met += weight;
  }
  // One score, one list of what to fix: the readiness report's score when there is one (the drill's findings
  // join its list), else the drill's own checks, weighted.
  const drillScore = total ? Math.round((100 * met) / total) : 0;
  const score = Number.isInteger(readiness?.score) ? readiness.score : drillScore;
  print("");
  print(
    `Readiness score: ${score}/100${Number.isInteger(readiness?.score) ? "" : " (from the drill's checks: no readiness report)"}`,
  );
  const allFixes = [...fixes, ...(readiness?.fix ?? [])];
  if (allFixes.length) {
    print("What to fix, most important first:");
    for (const fix of [...new Set(allFixes)]) print(`  - ${fix}`);
  } else {
    print("Nothing to fix: shoppers would keep browsing and ordering through an outage.");
  }
  const { failed } = checks.counts();
  checks.finish();
  return { score, failed, fixes: allFixes };
}

export class DrillError extends Error {}

function escapeHtml(text) {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
