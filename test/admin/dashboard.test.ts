import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { originMonitor } from "../../src/origin/monitor";
import { order, orderEnv, queueOrder, runAlarmsUntil } from "../orders/helpers";
import { fastBreakerEnv } from "../support/breaker";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

const TOKEN = "test-admin-token-0123456789";
const BASE = "https://shop.test/__stayopen/admin";
const SAME_SITE = { origin: "https://shop.test" };

let origin: FakeOrigin;
let env: Env;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = orderEnv(origin, { SITEMAP_URL: "", SHOP_URL: "https://shop.test" });
});
afterEach(() => origin.stop());

const form = (fields: Record<string, string>) => ({
  "content-type": "application/x-www-form-urlencoded",
  body: new URLSearchParams(fields).toString(),
});

function post(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  target = env,
): Promise<Response> {
  const { body, ...type } = form(fields);
  return dispatch(`${BASE}${path}`, target, { method: "POST", body, headers: { ...type, ...headers } });
}

/** Logs in like a browser: the session cookie to send back, and the CSRF token from the dashboard's forms. */
async function login(): Promise<{ cookie: string; csrf: string }> {
  const response = await post("/login", { token: TOKEN }, SAME_SITE);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await dispatch(BASE, env, { headers: { cookie, accept: "text/html" } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  return { cookie, csrf };
}

async function mode(): Promise<{ mode: string; maintenance: { message: string } | null }> {
  return (await dispatch(`${BASE}/status`, env, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
}

describe("dashboard login", () => {
  it("answers a browser without a session 401 with the login form as the page, and a program a JSON 401", async () => {
    const browser = await dispatch(BASE, env, { headers: { accept: "text/html" } });
    expect(browser.status).toBe(401);
    expect(browser.headers.get("content-type")).toContain("text/html");
    expect(browser.headers.get("cache-control")).toBe("no-store");
    expect(browser.headers.get("x-stayopen-source")).toBe("edge");
    expect(await browser.text()).toContain('action="/__stayopen/admin/login"');

    const program = await dispatch(BASE, env);
    expect(program.status).toBe(401);
  });

  it("shows the login form without a session", async () => {
    const response = await dispatch(`${BASE}/login`, env);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toMatch(/<form method="post" action="\/__stayopen\/admin\/login">/);
    expect(html).toContain('<label for="admin-token">');
    expect(html).toContain('type="password"');
  });

  it("does not exist without ADMIN_TOKEN", async () => {
    const noAdmin = shopEnv({ ORIGIN_URL: origin.url, ADMIN_TOKEN: "" });
    expect((await dispatch(`${BASE}/login`, noAdmin)).status).toBe(404);
    expect((await post("/login", { token: TOKEN }, SAME_SITE, noAdmin)).status).toBe(404);
  });

  it("answers a wrong token with 401 and no cookie", async () => {
    const response = await post("/login", { token: "not-the-token-at-all" }, SAME_SITE);
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.text()).toContain("That token is not right.");
  });

  it("refuses a client that keeps guessing with 429, while the right token still works", async () => {
    const guesser = { ...SAME_SITE, "cf-connecting-ip": "198.51.100.66" };
    const limited = orderEnv(origin, { SITEMAP_URL: "", RATE_LIMIT_ADMIN_FAILURES_PER_MIN: "3" });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post("/login", { token: `guess-${i}` }, guesser, limited)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const api = await dispatch(`${BASE}/status`, limited, {
      headers: { authorization: "Bearer another-guess-000000", "cf-connecting-ip": "198.51.100.66" },
    });
    expect(api.status).toBe(429);
    expect(Number(api.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await post("/login", { token: TOKEN }, guesser, limited)).status).toBe(303);
  });

  it("sets an HttpOnly, Secure, SameSite=Strict session cookie that is not the token", async () => {
    const response = await post("/login", { token: TOKEN }, SAME_SITE);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/__stayopen/admin");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^stayopen_admin=[^;]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/__stayopen/admin");
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect(cookie).not.toContain(TOKEN);
  });

  it("refuses a login posted from another site", async () => {
    const response = await post("/login", { token: TOKEN }, { origin: "https://evil.test" });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("renders the dashboard for a session, and the JSON API accepts it too", async () => {
    const { cookie } = await login();
    const response = await dispatch(BASE, env, { headers: { cookie, accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    const html = await response.text();
    for (const heading of [
      "Origin",
      "Breaker events",
      "Maintenance and incident message",
      "Order queue",
      "Dead letters",
      "Readiness and snapshot coverage",
      "Static backup in R2",
    ]) {
      expect(html).toContain(`>${heading}</h`);
    }
    expect(html).toContain("Readiness score:");
    expect(html).toMatch(/Snapshots stored, all pages: \d+/);
    expect(html).toContain('href="/__stayopen/admin/subscribers.csv"');
    expect(html).toContain("Off (STATIC_BACKUP=off).");
    expect(html).not.toContain("<script");

    expect((await dispatch(`${BASE}/status`, env, { headers: { cookie } })).status).toBe(200);
  });

  it("logs out by clearing the cookie and ending the session, so a kept copy of the cookie no longer works", async () => {
    const { cookie, csrf } = await login();
    expect((await dispatch(`${BASE}/status`, env, { headers: { cookie } })).status).toBe(200);
    const response = await post("/logout", { csrf }, { cookie, ...SAME_SITE });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(/^stayopen_admin=;.*Max-Age=0/);
    expect((await dispatch(`${BASE}/status`, env, { headers: { cookie } })).status).toBe(401);
    // Another session goes on.
    const other = await login();
    expect((await dispatch(`${BASE}/status`, env, { headers: { cookie: other.cookie } })).status).toBe(200);
  });
});

describe("dashboard actions", () => {
  it("turns maintenance on with an incident message, and off again", async () => {
    const { cookie, csrf } = await login();
    const on = await post(
      "/dashboard/maintenance",
      { csrf, on: "true", message: "Back at six." },
      { cookie, ...SAME_SITE },
    );
    expect(on.status).toBe(303);
    expect(on.headers.get("location")).toBe("/__stayopen/admin?done=maintenance_on");
    expect(await mode()).toMatchObject({ mode: "maintenance", maintenance: { message: "Back at six." } });

    const page = await (await dispatch(`${BASE}?done=maintenance_on`, env, { headers: { cookie } })).text();
    expect(page).toContain("Maintenance is on");
    expect(page).toContain("Back at six.");

    const off = await post("/dashboard/maintenance", { csrf, on: "false" }, { cookie, ...SAME_SITE });
    expect(off.status).toBe(303);
    expect((await mode()).mode).toBe("auto");
  });

  it("explains a refused maintenance change and changes nothing", async () => {
    const { cookie, csrf } = await login();
    const response = await post("/dashboard/maintenance", { csrf, on: "true", message: "" }, { cookie, ...SAME_SITE });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Maintenance not changed");
    expect((await mode()).mode).toBe("auto");
  });

  it("rejects a cross-site post even with a valid session and CSRF token", async () => {
    const { cookie, csrf } = await login();
    const response = await post(
      "/dashboard/maintenance",
      { csrf, on: "true", message: "hacked" },
      { cookie, origin: "https://evil.test" },
    );
    expect(response.status).toBe(403);
    expect((await mode()).mode).toBe("auto");
  });

  it("requires the session's CSRF token on every post", async () => {
    const { cookie } = await login();
    const other = await login();
    for (const csrf of [undefined, "forged", other.csrf]) {
      const fields: Record<string, string> = { on: "true", message: "no token" };
      if (csrf) fields.csrf = csrf;
      const response = await post("/dashboard/maintenance", fields, { cookie, ...SAME_SITE });
      expect(response.status).toBe(403);
    }
    expect((await mode()).mode).toBe("auto");
  });

  it("lists a dead letter and retries it", async () => {
    const path = `/orders/dashboard-${crypto.randomUUID().slice(0, 8)}`;
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(env, path, JSON.stringify({ sku: "beans" }));
    await origin.setMode({ mode: "ok" });
    await origin.route(path, { status: 400, body: "bad order" });
    await runAlarmsUntil(env, reference, (view) => view.state === "dead");

    const { cookie, csrf } = await login();
    const page = await (await dispatch(BASE, env, { headers: { cookie } })).text();
    expect(page).toContain(reference);
    expect(page).toContain(`action="/__stayopen/admin/dashboard/orders/${reference}/retry"`);

    const retried = await post(`/dashboard/orders/${reference}/retry`, { csrf }, { cookie, ...SAME_SITE });
    expect(retried.status).toBe(303);
    expect(retried.headers.get("location")).toBe("/__stayopen/admin?done=retried");
    expect((await order(env, reference)).state).not.toBe("dead");

    // Any order not yet delivered can be discarded, a discarded one no more.
    await runAlarmsUntil(env, reference, (view) => view.state === "dead");
    const discarded = await post(`/dashboard/orders/${reference}/discard`, { csrf }, { cookie, ...SAME_SITE });
    expect(discarded.status).toBe(303);
    const again = await post(`/dashboard/orders/${reference}/discard`, { csrf }, { cookie, ...SAME_SITE });
    expect(again.status).toBe(409);
  });

  it("gives this browser the staff bypass and a one-time link for another, like the API", async () => {
    const { cookie, csrf } = await login();
    const page = await (await dispatch(BASE, env, { headers: { cookie } })).text();
    expect(page).toContain('action="/__stayopen/admin/dashboard/bypass"');

    const response = await post("/dashboard/bypass", { csrf }, { cookie, ...SAME_SITE });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/^__Host-stayopen-bypass=[^;]+;.*HttpOnly/);
    const html = await response.text();
    expect(html).toMatch(/value="https:\/\/shop\.test\/__stayopen\/bypass\?token=[A-Za-z0-9_.-]+"/);
    expect(html).toContain("This browser now reaches the real shop");
  });
});

describe("dashboard for operators", () => {
  const SUPPORT = "help@harbour-coffee.example";
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const monitor = () => originMonitor(env, "default", origin.url);
  const between = (html: string, open: RegExp, close: string) => {
    const start = html.search(open);
    return html.slice(start, html.indexOf(close, start));
  };

  afterEach(async () => {
    await runInDurableObject(monitor(), (_instance, state) => state.storage.deleteAlarm());
    forgetOriginHealth();
  });

  it("shows a flapping breaker and its repeated errors once each, with the count, while the API keeps every entry", async () => {
    env = fastBreakerEnv(origin.url, { BREAKER_COOLDOWN_MS: "100", SITEMAP_URL: "", SHOP_URL: "https://shop.test" });
    await origin.setMode({ mode: "status", status: 502 });
    expect((await dispatch("https://shop.test/flaps", env)).status).toBe(503);
    // Ten times: the cooldown passes (open → half-open), the probe fails (half-open → open).
    for (let cycle = 0; cycle < 10; cycle++) {
      await sleep(150);
      expect(await runDurableObjectAlarm(monitor())).toBe(true);
    }
    await origin.setMode({ mode: "ok" });
    await sleep(150);
    await runDurableObjectAlarm(monitor());

    const status = await mode();
    const raw = status as unknown as { origin: { transitions: unknown[]; recentErrors: { source: string }[] } };
    expect(raw.origin.transitions).toHaveLength(20);
    expect(raw.origin.recentErrors).toHaveLength(10);
    expect(raw.origin.recentErrors.every((error) => error.source === "probe")).toBe(true);

    const { cookie } = await login();
    const html = await (await dispatch(BASE, env, { headers: { cookie } })).text();
    const events = between(html, /<table aria-labelledby="events-heading"/, "</table>");
    const rows = events.match(/<tr>/g) ?? [];
    // The header row, the recovery, and the 19 changes of the cycle in one line.
    expect(rows).toHaveLength(3);
    expect(events).toContain("half-open → closed");
    expect(events).toContain("open ↔ half-open ×19");
    expect(events).toContain("cooldown (status_502); probe (status_502)");

    const errors = between(html, />Recent errors<\/h3>/, "</ul>");
    expect(errors.match(/<li>/g)).toHaveLength(1);
    expect(errors).toContain("status_502 (probe, 10×)");
  });

  it("does not show the shoppers' support address as the operator's contact", async () => {
    env = orderEnv(origin, { SITEMAP_URL: "", SHOP_URL: "https://shop.test", SUPPORT_EMAIL: SUPPORT });
    // Shoppers' pages do show it.
    expect(await (await dispatch("https://shop.test/__stayopen/status", env)).text()).toContain(`mailto:${SUPPORT}`);

    const loginPage = await (await dispatch(`${BASE}/login`, env)).text();
    const { cookie } = await login();
    const dashboardPage = await (await dispatch(BASE, env, { headers: { cookie } })).text();
    for (const page of [loginPage, dashboardPage]) {
      expect(page).not.toContain("mailto:");
      expect(between(page, /<header/, "</header>")).not.toContain(SUPPORT);
      expect(between(page, /<footer/, "</footer>")).not.toContain(SUPPORT);
    }
    // The settings summary may say where shoppers are sent.
    expect(dashboardPage).toContain(`Shoppers are pointed to ${SUPPORT}.`);
  });
});
