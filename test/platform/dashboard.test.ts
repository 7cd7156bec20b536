import { env as testEnv } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetShops, shopById } from "../../src/config/shops";
import { getOrder } from "../../src/orders/queue";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

/** The suite's own: the registry object seals secrets with the token of its env, the worker's. */
const PLATFORM = (testEnv as Env).PLATFORM_TOKEN!;
const ADMIN_A = "shop-a-admin-token-0123456789";
const BASE = "https://platform.test:8443/__stayopen/platform";
const SAME_SITE = { origin: "https://platform.test:8443" };

let origin: FakeOrigin;
let env: Env;
let n = 0;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv();
  forgetShops(env);
  n++;
});
afterEach(() => origin.stop());

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}, target = env) {
  return dispatch(`${BASE}${path}`, target, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
}

async function register(id: string, host: string, config: Record<string, string> = {}): Promise<void> {
  const response = await dispatch(`${BASE}/shops/${id}`, env, {
    method: "PUT",
    headers: { authorization: `Bearer ${PLATFORM}`, "content-type": "application/json" },
    body: JSON.stringify({
      hosts: [host],
      config: { ORIGIN_URL: origin.url, ...config },
      secrets: { ADMIN_TOKEN: ADMIN_A },
    }),
  });
  expect(response.status).toBe(201);
}

/** A request to a shop's own host, with the platform token (which opens every shop's admin API). */
const onShop = (host: string, path: string, body: unknown) =>
  dispatch(`https://${host}${path}`, env, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${PLATFORM}`, "content-type": "application/json" },
  });

async function queueOrderOn(host: string): Promise<string> {
  const response = await onShop(host, "/api/orders", { sku: "tea" });
  expect(response.status).toBe(202);
  return ((await response.json()) as { reference: string }).reference;
}

const deleteShop = async (id: string) =>
  expect(
    (await dispatch(`${BASE}/shops/${id}`, env, { method: "DELETE", headers: { authorization: `Bearer ${PLATFORM}` } }))
      .status,
  ).toBe(200);

async function stateOf(id: string, reference: string): Promise<string | undefined> {
  return (await getOrder(env, (await shopById(env, id))!, reference))?.state;
}

/** Logs in like a browser: the session cookie to send back, and the CSRF token from the page's forms. */
async function login(): Promise<{ cookie: string; csrf: string; page: string }> {
  const response = await post("/login", { token: PLATFORM }, SAME_SITE);
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await dispatch(BASE, env, { headers: { cookie, accept: "text/html" } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  return { cookie, csrf, page };
}

describe("the platform dashboard", () => {
  it("does not exist without PLATFORM_TOKEN", async () => {
    const none = shopEnv({ PLATFORM_TOKEN: "" });
    expect((await dispatch(BASE, none, { headers: { accept: "text/html" } })).status).toBe(404);
    expect((await post("/login", { token: PLATFORM }, SAME_SITE, none)).status).toBe(404);
  });

  it("answers a browser without a session 401 with the login form, labelled, with the page's security headers", async () => {
    const response = await dispatch(BASE, env, { headers: { accept: "text/html" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain('<form method="post" action="/__stayopen/platform/login">');
    expect(html).toContain('<label for="platform-token">Platform token</label>');
    expect(html).toContain('id="platform-token"');
  });

  it("logs in with the platform token only, into a cookie scoped to the platform's path", async () => {
    expect((await post("/login", { token: ADMIN_A }, SAME_SITE)).status).toBe(401);
    expect((await post("/login", { token: PLATFORM }, { origin: "https://evil.test" })).status).toBe(403);
    const response = await post("/login", { token: PLATFORM }, SAME_SITE);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/__stayopen/platform");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^stayopen_platform=[^;]+;/);
    for (const part of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/__stayopen/platform"])
      expect(cookie).toContain(part);
    expect(cookie).not.toContain(PLATFORM);
  });

  it("lists every shop with origin, mode, queue and last incident, linking to its own dashboard", async () => {
    await register(`t${n}-a`, `a-${n}.shop.test`);
    await register(`t${n}-b`, `b-${n}.shop.test`);
    const { page } = await login();
    expect(page).toContain("<h1>Platform dashboard</h1>");
    expect(page).toMatch(/<th scope="col">Origin<\/th>/);
    expect(page).toMatch(/<th scope="col">Last incident<\/th>/);
    for (const shop of ["a", "b"]) {
      expect(page).toContain(`<th scope="row">t${n}-${shop}</th>`);
      expect(page).toContain(`href="https://${shop}-${n}.shop.test:8443/__stayopen/admin"`);
    }
    expect(page).not.toContain("<script");
    expect(page).toContain('name="viewport" content="width=device-width, initial-scale=1"');
  });

  it("ends a session only with its CSRF token, and the ended cookie no longer opens anything", async () => {
    const { cookie, csrf } = await login();
    expect((await post("/logout", {}, { cookie, ...SAME_SITE })).status).toBe(403);
    expect((await post("/logout", { csrf }, { cookie, origin: "https://evil.test" })).status).toBe(403);
    const out = await post("/logout", { csrf }, { cookie, ...SAME_SITE });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/^stayopen_platform=;.*Max-Age=0/);
    expect((await dispatch(`${BASE}/shops`, env, { headers: { cookie } })).status).toBe(401);
  });

  it("is no key to a shop's admin dashboard, nor a shop's session to the platform's", async () => {
    await register(`t${n}-a`, `a-${n}.shop.test`);
    const { cookie } = await login();
    const value = cookie.split("=").slice(1).join("=");
    const onShop = await dispatch(`https://a-${n}.shop.test/__stayopen/admin/status`, env, {
      headers: { cookie: `stayopen_admin=${value}` },
    });
    expect(onShop.status).toBe(401);
  });

  it("keeps a deleted shop with queued orders on the list, flagged, with a link to its orders page", async () => {
    const host = `gone-${n}.shop.test`;
    await register(`t${n}-gone`, host);
    expect((await onShop(host, "/__stayopen/admin/maintenance", { on: true, message: "Moving" })).status).toBe(200);
    await queueOrderOn(host);
    await deleteShop(`t${n}-gone`);
    const { page } = await login();
    expect(page).toMatch(new RegExp(`<th scope="row">t${n}-gone \\(deleted <time`));
    expect(page).toContain(`<a href="/__stayopen/platform/shops/t${n}-gone/dashboard">t${n}-gone orders</a>`);
    expect(page).not.toContain(`href="https://${host}`);
  });
});

describe("a deleted shop's orders on the platform dashboard", () => {
  /**
   * A deleted shop whose one order needs attention: queued during forced maintenance, then answered 500 by
   * an origin that is otherwise up, with ORDER_MAX_ATTEMPTS=1. Maintenance is forced again before the shop
   * is deleted, so no replay starts by itself while the test looks (the queue holds orders meanwhile).
   */
  async function deletedShopNeedingAttention(): Promise<{ id: string; reference: string; page: string }> {
    const id = `t${n}-left`;
    const host = `left-${n}.shop.test`;
    const maintenance = async (on: boolean) =>
      expect(
        (await onShop(host, "/__stayopen/admin/maintenance", on ? { on, message: "Closed" } : { on })).status,
      ).toBe(200);
    await register(id, host, { ORDER_MAX_ATTEMPTS: "1", ORDER_RETRY_BASE_MS: "600000", ORDER_RETRY_MAX_MS: "3600000" });
    await origin.route("/api/orders", { status: 500, body: "database locked" });
    await maintenance(true);
    const reference = await queueOrderOn(host);
    // Switching maintenance off drains the queue at once.
    await maintenance(false);
    await expect.poll(() => stateOf(id, reference), { timeout: 5_000 }).toBe("needs_attention");
    await maintenance(true);
    await deleteShop(id);
    return { id, reference, page: `/shops/${id}/dashboard` };
  }

  it("lists the order needing attention with Retry and Discard forms, and Deliver now for its queue", async () => {
    const { id, reference, page } = await deletedShopNeedingAttention();
    const { cookie, page: overview } = await login();
    expect(overview).toContain(`href="/__stayopen/platform${page}"`);
    const response = await dispatch(`${BASE}${page}`, env, { headers: { cookie, accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain(`<h1>Orders of ${id}, a deleted shop</h1>`);
    expect(html).toContain('<h2 id="orders-heading">Order queue</h2>');
    expect(html).toContain(`<code>${reference}</code>`);
    expect(html).toContain("status_500");
    for (const action of ["retry", "discard"])
      expect(html).toContain(`<form method="post" action="/__stayopen/platform${page}/orders/${reference}/${action}">`);
    expect(html).toContain(`<form method="post" action="/__stayopen/platform${page}/replay">`);
    expect(html).not.toContain("<script");
  });

  it("retries the order on a POST with the session's CSRF token, and refuses one without it", async () => {
    const { id, reference, page } = await deletedShopNeedingAttention();
    const { cookie, csrf } = await login();
    const retry = `${page}/orders/${reference}/retry`;

    expect((await post(retry, {}, { cookie, ...SAME_SITE })).status).toBe(403);
    expect((await post(retry, { csrf: "forged" }, { cookie, ...SAME_SITE })).status).toBe(403);
    expect((await post(retry, { csrf }, { cookie, origin: "https://evil.test" })).status).toBe(403);
    expect(await stateOf(id, reference)).toBe("needs_attention");

    const retried = await post(retry, { csrf }, { cookie, ...SAME_SITE });
    expect(retried.status).toBe(303);
    expect(retried.headers.get("location")).toBe(`/__stayopen/platform${page}?done=retried`);
    expect(await stateOf(id, reference)).toBe("queued");
    const html = await (await dispatch(`${BASE}${page}?done=retried`, env, { headers: { cookie } })).text();
    expect(html).toContain("The order is queued for delivery again.");

    const discarded = await post(`${page}/orders/${reference}/discard`, { csrf }, { cookie, ...SAME_SITE });
    expect(discarded.headers.get("location")).toBe(`/__stayopen/platform${page}?done=discarded`);
    expect(await stateOf(id, reference)).toBe("discarded");
    const again = await post(`${page}/orders/${reference}/discard`, { csrf }, { cookie, ...SAME_SITE });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(`href="/__stayopen/platform${page}"`);

    expect((await post(`${page}/replay`, {}, { cookie, ...SAME_SITE })).status).toBe(403);
    const replay = await post(`${page}/replay`, { csrf }, { cookie, ...SAME_SITE });
    expect(replay.headers.get("location")).toBe(`/__stayopen/platform${page}?done=replay`);
  });

  it("never reaches a live shop's orders, nor a shop that does not exist", async () => {
    const id = `t${n}-live`;
    const host = `live-${n}.shop.test`;
    await register(id, host);
    expect((await onShop(host, "/__stayopen/admin/maintenance", { on: true, message: "Moving" })).status).toBe(200);
    const reference = await queueOrderOn(host);
    const { cookie, csrf, page: overview } = await login();
    expect(overview).not.toContain(`/shops/${id}/dashboard`);

    const page = `/shops/${id}/dashboard`;
    expect((await dispatch(`${BASE}${page}`, env, { headers: { cookie, accept: "text/html" } })).status).toBe(404);
    for (const action of ["retry", "discard"])
      expect((await post(`${page}/orders/${reference}/${action}`, { csrf }, { cookie, ...SAME_SITE })).status).toBe(
        404,
      );
    expect((await post(`${page}/replay`, { csrf }, { cookie, ...SAME_SITE })).status).toBe(404);
    expect(await stateOf(id, reference)).toBe("queued");
    const nobody = await dispatch(`${BASE}/shops/nobody-${n}/dashboard`, env, { headers: { cookie } });
    expect(nobody.status).toBe(404);
    const single = await dispatch(`${BASE}/shops/default/dashboard`, env, { headers: { cookie } });
    expect(single.status).toBe(404);
  });
});

describe("the platform dashboard on a shop's own host", () => {
  it("refuses a browser login and sessions there (the shop's scripts share that origin); the bearer API still works", async () => {
    const host = `t${n}-own.shop.test`;
    await register(`t${n}-own`, host);
    const onShop = (path: string, init: RequestInit = {}) =>
      dispatch(`https://${host}/__stayopen/platform${path}`, env, init);
    const form = {
      method: "POST",
      body: new URLSearchParams({ token: PLATFORM }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: `https://${host}` },
    };
    const refused = await onShop("/login", form);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(await refused.json()).toMatchObject({ error: "login_not_here" });
    // A session minted on the platform's own host is worthless here too.
    const { cookie } = await login();
    expect((await onShop("", { headers: { cookie, accept: "text/html" } })).status).toBe(403);
    expect((await onShop("/shops", { headers: { authorization: `Bearer ${PLATFORM}` } })).status).toBe(200);
  });

  it("the shop's admin login form takes the shop's own token, never the platform token (a bearer token only)", async () => {
    const host = `t${n}-adm.shop.test`;
    await register(`t${n}-adm`, host);
    const adminLogin = (token: string) =>
      dispatch(`https://${host}/__stayopen/admin/login`, env, {
        method: "POST",
        body: new URLSearchParams({ token }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", origin: `https://${host}` },
      });
    expect((await adminLogin(PLATFORM)).status).toBe(401);
    expect((await adminLogin(ADMIN_A)).status).toBe(303);
    const status = await dispatch(`https://${host}/__stayopen/admin/status`, env, {
      headers: { authorization: `Bearer ${PLATFORM}` },
    });
    expect(status.status).toBe(200);
  });
});
