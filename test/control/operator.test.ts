import { env as testEnv, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forgetControls, shopControl } from "../../src/control/controls";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { loadConfig } from "../../src/config/shop";

const TOKEN = "test-admin-token-0123456789";
const HOUR = 3_600_000;
const MESSAGE = "We're moving to a new warehouse system; back by 18:00 UTC.";

let origin: FakeOrigin;
let env: Env;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv({ ORIGIN_URL: origin.url, PROBE_IDLE_INTERVAL_MS: "0", BREAKER_FAILURES: "100" });
});
afterEach(async () => {
  await maintenance({ on: false }, { env: shopEnv({ ORIGIN_URL: origin.url }) });
  await runInDurableObject(shopControl(testEnv as Env, "default"), (_instance, state) => state.storage.deleteAlarm());
  forgetOriginHealth();
  await origin.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

function maintenance(
  body: unknown,
  options: { token?: string | null; raw?: string; env?: Env } = {},
): Promise<Response> {
  const token = options.token === undefined ? TOKEN : options.token;
  return dispatch("https://shop.test/__stayopen/admin/maintenance", options.env ?? env, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: options.raw ?? JSON.stringify(body),
  });
}

async function publicStatus(): Promise<{ origin: string; mode: string; since: string; message: string | null }> {
  return (await dispatch("https://shop.test/__stayopen/status.json", env)).json();
}

async function adminStatus(): Promise<{
  mode: string;
  maintenance: { active: boolean; message: string; from: string; until: string | null } | null;
}> {
  return (
    await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json();
}

async function bypassCookie(): Promise<{ cookie: string; setCookie: string; link: string }> {
  const response = await dispatch("https://shop.test/__stayopen/admin/bypass", env, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  const setCookie = response.headers.get("set-cookie")!;
  const { link } = (await response.json()) as { link: string };
  return { cookie: setCookie.split(";")[0]!, setCookie, link };
}

describe("forced maintenance", () => {
  it("serves snapshots with their banner and the branded 503 with the message, without touching the origin", async () => {
    expect((await dispatch("https://shop.test/c/forced", env)).headers.get("x-stayopen-source")).toBe("origin");
    const switched = await maintenance({ on: true, message: MESSAGE });
    expect(switched.status).toBe(200);
    expect(await switched.json()).toMatchObject({
      mode: "maintenance",
      maintenance: { active: true, message: MESSAGE, until: null },
    });
    const seenByOrigin = (await origin.requests()).length;

    const stale = await dispatch("https://shop.test/c/forced", env);
    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    const staleHtml = await stale.text();
    expect(staleHtml).toContain("data-stayopen-banner");
    expect(staleHtml).toContain("<strong>We&#39;re moving to a new warehouse system; back by 18:00 UTC.</strong>");

    const page = await dispatch("https://shop.test/never-seen", env);
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("120");
    expect(page.headers.get("x-stayopen-source")).toBe("maintenance");
    const html = await page.text();
    expect(html).toContain("closed for maintenance");
    expect(html).toContain("We&#39;re moving to a new warehouse system");
    // No end was set: the page makes up no time to come back.
    expect(html).toContain("Please check back later.");
    expect(html).not.toContain("in about");

    const api = await dispatch("https://shop.test/api/cart", env, { headers: { accept: "application/json" } });
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({ error: "origin_unavailable", retryAfter: 120 });
    expect((await dispatch("https://shop.test/contact", env, { method: "POST", body: "hello" })).status).toBe(503);
    expect(await origin.requests()).toHaveLength(seenByOrigin);

    const status = await publicStatus();
    expect(status).toMatchObject({ mode: "maintenance", message: MESSAGE });
    expect(Date.now() - Date.parse(status.since)).toBeLessThan(60_000);
    const statusPage = await (await dispatch("https://shop.test/__stayopen/status", env)).text();
    expect(statusPage).toContain("Closed for maintenance");
    expect(statusPage).toContain("We&#39;re moving to a new warehouse system");

    await maintenance({ on: false });
    expect((await dispatch("https://shop.test/never-seen", env)).status).toBe(200);
    expect(await publicStatus()).toMatchObject({ mode: "auto", message: null });
  });

  it("reaches isolates that have not seen the change", async () => {
    await maintenance({ on: true, message: MESSAGE });
    forgetControls();
    expect((await dispatch("https://shop.test/elsewhere", env)).status).toBe(503);
    expect(await origin.requests("/elsewhere")).toHaveLength(0);
  });

  it("escapes the message in the banner of a stale page", async () => {
    await (await dispatch("https://shop.test/c/forced-escaped", env)).text();
    await maintenance({ on: true, message: '<img src=x onerror="alert(1)"> back soon' });
    const html = await (await dispatch("https://shop.test/c/forced-escaped", env)).text();
    expect(html).toContain("<strong>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; back soon</strong>");
    expect(html).not.toContain("<img src=x");
  });

  it("ends here too when another isolate ended it during a quiet spell", async () => {
    const quickSync = shopEnv({ ORIGIN_URL: origin.url, PROBE_IDLE_INTERVAL_MS: "0", BREAKER_SYNC_MS: "100" });
    await maintenance({ on: true, message: MESSAGE }, { env: quickSync });
    expect((await dispatch("https://shop.test/quiet-on", quickSync)).status).toBe(503);
    // Another isolate's operator ends it: only the shared object hears of it.
    await shopControl(testEnv as Env, "default").setMaintenance("default", { on: false });
    await sleep(250);
    const first = await dispatch("https://shop.test/quiet-off", quickSync);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-stayopen-source")).toBe("origin");
  });

  it("keeps the start when only the message changes", async () => {
    await maintenance({ on: true, message: "first", from: new Date(Date.now() - HOUR).toISOString() });
    await maintenance({ on: true, message: "second" });
    const status = await publicStatus();
    expect(status.message).toBe("second");
    expect(Date.now() - Date.parse(status.since)).toBeGreaterThanOrEqual(HOUR - 1000);
  });

  it("switches to the softer notice and a longer Retry-After after MAX_503_HOURS, still a 503", async () => {
    await maintenance({ on: true, message: MESSAGE, from: new Date(Date.now() - 49 * HOUR).toISOString() });
    const page = await dispatch("https://shop.test/long-gone", env);
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("3600");
    const html = await page.text();
    expect(html).toContain("still working on it");
    expect(html).toContain("about an hour");
    const api = await dispatch("https://shop.test/api/long-gone", env);
    expect(await api.json()).toEqual({ error: "origin_unavailable", retryAfter: 3600 });
  });
});

describe("scheduled maintenance", () => {
  it("waits for its start", async () => {
    const response = await maintenance({ on: true, message: MESSAGE, from: inHours(1), until: inHours(2) });
    expect(await response.json()).toMatchObject({
      mode: "auto",
      maintenance: { active: false, from: expect.any(String) },
    });
    expect((await dispatch("https://shop.test/not-yet", env)).status).toBe(200);
    expect(await publicStatus()).toMatchObject({ mode: "auto", message: null });
  });

  it("is in force from a start in the past, reported since then", async () => {
    const from = new Date(Date.now() - 2 * HOUR).toISOString();
    const until = inHours(1);
    await maintenance({ on: true, message: MESSAGE, from, until });
    const page = await dispatch("https://shop.test/now", env, { headers: { accept: "text/html" } });
    expect(page.status).toBe(503);
    // Nobody is let in before the window ends: clients are asked back then, and the pages say when.
    expect(Number(page.headers.get("retry-after"))).toBeGreaterThan(3500);
    expect(await page.text()).toContain(`We plan to reopen by <time datetime="${until}">`);
    expect(await publicStatus()).toMatchObject({ mode: "maintenance", since: from });
    const statusPage = await (await dispatch("https://shop.test/__stayopen/status", env)).text();
    expect(statusPage).toContain(`<dt>Planned to reopen</dt><dd><time datetime="${until}">`);
  });

  it("ends by itself, and the monitor clears it", async () => {
    await maintenance({ on: true, message: MESSAGE, until: new Date(Date.now() + 600).toISOString() });
    expect((await dispatch("https://shop.test/ending", env)).status).toBe(503);
    await sleep(700);
    expect((await dispatch("https://shop.test/ending", env)).status).toBe(200);
    expect((await publicStatus()).mode).toBe("auto");

    // The alarm set for the end may have fired already; if not, run it now.
    await runDurableObjectAlarm(shopControl(testEnv as Env, "default"));
    expect((await adminStatus()).maintenance).toBeNull();
  });
});

describe("staff bypass", () => {
  it("lets a bypass cookie through to the real origin, never keeping what staff see", async () => {
    await maintenance({ on: true, message: MESSAGE });
    const { cookie, setCookie } = await bypassCookie();
    expect(setCookie).toMatch(/^__Host-stayopen-bypass=[\w-]+\.[\w-]+;/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);

    const staff = await dispatch("https://shop.test/c/staff-only", env, { headers: { cookie } });
    expect(staff.status).toBe(200);
    expect(staff.headers.get("x-stayopen-source")).toBe("origin");
    expect(staff.headers.get("x-stayopen-bypass")).toBe("cookie");
    expect(await staff.text()).toContain("fresh from the origin");
    const post = await dispatch("https://shop.test/contact", env, { method: "POST", headers: { cookie }, body: "hi" });
    expect(post.status).toBe(200);
    expect(await origin.requests("/contact")).toHaveLength(1);

    const shopper = await dispatch("https://shop.test/c/staff-only", env);
    expect(shopper.status).toBe(503);
    expect(shopper.headers.get("x-stayopen-source")).toBe("maintenance");
  });

  it("ignores a tampered or foreign cookie", async () => {
    await maintenance({ on: true, message: MESSAGE });
    const { cookie } = await bypassCookie();
    // Flip a data bit in the signature's first character, and an unused bit in its last one.
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const flip = (char: string, bit: number) => ALPHABET[ALPHABET.indexOf(char) ^ bit]!;
    const [name, value] = cookie.split("=") as [string, string];
    const [payload, signature] = value.split(".") as [string, string];
    for (const forged of [
      flip(signature[0]!, 32) + signature.slice(1),
      signature.slice(0, -1) + flip(signature.at(-1)!, 1),
    ]) {
      const tampered = `${name}=${payload}.${forged}`;
      expect((await dispatch("https://shop.test/x", env, { headers: { cookie: tampered } })).status).toBe(503);
    }
    const rotated = shopEnv({ ORIGIN_URL: origin.url, ADMIN_TOKEN: "another-admin-token-98765" });
    expect((await dispatch("https://shop.test/x", rotated, { headers: { cookie } })).status).toBe(503);
  });

  it("gives a browser the cookie through a one-time link", async () => {
    await maintenance({ on: true, message: MESSAGE });
    const { link } = await bypassCookie();
    const token = new URL(link).searchParams.get("token")!;
    expect(new URL(link).pathname).toBe("/__stayopen/bypass");

    const page = await dispatch(link, env);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post" action="/__stayopen/bypass">');

    const redeem = () =>
      dispatch("https://shop.test/__stayopen/bypass", env, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
      });
    const first = await redeem();
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/");
    expect(first.headers.get("referrer-policy")).toBe("no-referrer");
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    expect((await dispatch("https://shop.test/c/linked", env, { headers: { cookie } })).status).toBe(200);

    expect((await redeem()).status).toBe(404);
    expect((await dispatch(`https://shop.test/__stayopen/bypass?token=${token}x`, env)).status).toBe(404);
  });

  it("lets staff addresses through (IPv4 and IPv6 ranges) and nobody else", async () => {
    env = shopEnv({ ORIGIN_URL: origin.url, BYPASS_IPS: "203.0.113.0/24, 2001:db8::/32" });
    await maintenance({ on: true, message: MESSAGE });
    const from = (ip: string) => dispatch("https://shop.test/office", env, { headers: { "cf-connecting-ip": ip } });
    for (const ip of ["203.0.113.77", "2001:db8:1::5"]) {
      const response = await from(ip);
      expect(response.status, ip).toBe(200);
      expect(response.headers.get("x-stayopen-bypass")).toBe("ip");
    }
    for (const ip of ["198.51.100.7", "2001:db9::1"]) expect((await from(ip)).status, ip).toBe(503);
  });

  it("names a bad BYPASS_IPS entry and bypasses no one meanwhile, the shop serving on", async () => {
    env = shopEnv({ ORIGIN_URL: origin.url, BYPASS_IPS: "203.0.113.0/24,office" });
    const response = await dispatch("https://shop.test/", env);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    expect(loadConfig(env).bypassIps).toEqual([]);
    expect(loadConfig(env).problems).toEqual([
      {
        variable: "BYPASS_IPS",
        message:
          'BYPASS_IPS [1] is wrong: must list IP addresses or CIDR ranges like 203.0.113.0/24 or 2001:db8::/32 (not "office")',
      },
    ]);
  });
});

describe("admin API for the switches", () => {
  it.each([
    ["not JSON", "{on: true", 400, "invalid_json"],
    ["no message", JSON.stringify({ on: true }), 400, "invalid_request"],
    [
      "an end in the past",
      JSON.stringify({ on: true, message: "m", until: "2020-01-01T00:00:00Z" }),
      400,
      "invalid_request",
    ],
    ["an unknown field", JSON.stringify({ on: true, message: "m", duration: 60 }), 400, "invalid_request"],
    ["a huge body", JSON.stringify({ on: true, message: "m".repeat(5000) }), 413, "payload_too_large"],
  ])("refuses %s and changes nothing", async (_what, raw, status, error) => {
    const response = await maintenance(null, { raw });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
    expect(await adminStatus()).toMatchObject({ mode: "auto", maintenance: null });
  });

  it("needs the admin token for every switch", async () => {
    for (const token of [null, "wrong-token-000000000000"]) {
      expect((await maintenance({ on: true, message: MESSAGE }, { token })).status).toBe(401);
      const bypass = await dispatch("https://shop.test/__stayopen/admin/bypass", env, {
        method: "POST",
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      expect(bypass.status).toBe(401);
      expect(bypass.headers.get("set-cookie")).toBeNull();
    }
    expect((await publicStatus()).mode).toBe("auto");

    env = shopEnv({ ORIGIN_URL: origin.url, ADMIN_TOKEN: "" });
    expect((await maintenance({ on: true, message: MESSAGE })).status).toBe(404);
  });
});
