/**
 * Two registered shops on two hosts with two real loopback origins: nothing
 * one shop does or suffers reaches the other (issue 16, DESIGN.md "Many shops,
 * one deployment").
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/config/env";
import { removeShop, resolveShop, STALE_MS } from "../../src/config/shops";
import type { Shop } from "../../src/config/shop";
import { sealSecrets } from "../../src/config/secret-box";
import { flushMetrics, metricsStub } from "../../src/metrics/counters";
import { subscriberList } from "../../src/notify/store";
import { postWebhook } from "../../src/notify/webhook";
import { shardName, shardOfReference } from "../../src/orders/reference";
import { getOrder } from "../../src/orders/queue";
import { stockObject } from "../../src/stock/reserve";
import { FakeOrigin, type RecordedRequest } from "../support/origin";
import {
  adminTokenFor,
  registerBehindTheIsolate,
  registerShop,
  registryObject,
  replaySecretFor,
} from "../support/registry";
import { dispatch, shopEnv } from "../support/worker";
import { runCron } from "../readiness/cron";

const platform: Env = shopEnv();

type TestShop = { id: string; host: string; origin: FakeOrigin; name: string; color: string; health: string };

const started: FakeOrigin[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(started.splice(0).map((origin) => origin.stop()));
});

/** The variables both shops share; each has its own origin, health path, name and colour. */
function shopConfig(shop: Omit<TestShop, "id" | "host">, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ORIGIN_URL: shop.origin.url,
    ORIGIN_TIMEOUT_MS: "1000",
    BREAKER_FAILURES: "1",
    BREAKER_COOLDOWN_MS: "300",
    HEALTH_PATH: shop.health,
    PROBE_INTERVAL_MS: "3600000",
    PROBE_IDLE_INTERVAL_MS: "0",
    ORDER_PATHS: "POST /orders/*",
    ORDER_RETRY_BASE_MS: "600000",
    ORDER_RETRY_MAX_MS: "3600000",
    SHOP_NAME: shop.name,
    BRAND_COLOR: shop.color,
    ...extra,
  };
}

async function newShop(name: string, color: string, extra: Record<string, string> = {}): Promise<TestShop> {
  const origin = await FakeOrigin.start();
  started.push(origin);
  const id = `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`;
  const shop = { id, host: `${id}.example`, origin, name, color, health: `/health-${id}` };
  await registerShop(platform, id, { hosts: [shop.host], config: shopConfig(shop, extra) });
  return shop;
}

/** Shop A (Alpha, red) and shop B (Beta, blue), each on its own host and origin. */
async function twoShops(extraA: Record<string, string> = {}, extraB: Record<string, string> = {}) {
  return [await newShop("Alpha", "#aa0000", extraA), await newShop("Beta", "#0000aa", extraB)] as const;
}

const visit = (shop: TestShop, path: string, init: RequestInit = {}) =>
  dispatch(`https://${shop.host}${path}`, platform, init);
const page = (shop: TestShop, path: string) => visit(shop, path, { headers: { accept: "text/html" } });
const admin = (shop: TestShop, path: string, token: string, init: RequestInit = {}) =>
  visit(shop, `/__stayopen/admin${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
const shopOf = async (shop: TestShop) => (await resolveShop(platform, shop.host))!;

/** The shop's origin answers 502 to everything and its breaker opens (its own health probe fails too). */
async function takeDown(shop: TestShop): Promise<void> {
  await shop.origin.setMode({ mode: "status", status: 502 });
  await (await visit(shop, `/trip-${crypto.randomUUID().slice(0, 6)}`)).text();
  for (let round = 0; round < 20; round++) {
    const status = (await (await visit(shop, "/__stayopen/status.json")).json()) as { origin: string };
    if (status.origin === "down") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${shop.id} never went down`);
}

async function postOrder(shop: TestShop, path: string, body: string, ip = "198.51.100.7"): Promise<Response> {
  return visit(shop, path, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
  });
}

/** Runs the order's shard alarm until it is delivered; bounded. */
async function deliver(shop: Shop, reference: string): Promise<void> {
  const shard = env.ORDER_QUEUE.getByName(
    shardName(shop.id, shardOfReference(reference, shop.config.orderQueue.shards)!),
  );
  for (let round = 0; round < 40; round++) {
    if ((await getOrder(platform, shop, reference))?.state === "delivered") return;
    await runDurableObjectAlarm(shard);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`order ${reference} of ${shop.id} was never delivered`);
}

/** Re-seals a shop's stored secrets under a token the deployment does not have, as a PLATFORM_TOKEN rotation leaves them. */
async function sealUnderAnotherToken(id: string): Promise<void> {
  const sealed = await sealSecrets("the-platform-token-before-rotation-0123456789", id, {
    ADMIN_TOKEN: adminTokenFor(id),
    REPLAY_SECRET: replaySecretFor(id),
  });
  await runInDurableObject(registryObject(), (_registry, state) => {
    state.storage.sql.exec("UPDATE meta SET version = version + 1 WHERE id = 1");
    const { version } = state.storage.sql.exec<{ version: number }>("SELECT version FROM meta WHERE id = 1").one();
    state.storage.sql.exec("UPDATE shops SET secrets = ?, revision = ? WHERE id = ?", sealed, version, id);
  });
}

/** A clock that runs on from now, moved ahead on demand: every copy of the registry (the shards' too) reads it again. */
function laterClock() {
  const realNow = Date.now.bind(Date);
  let offset = 0;
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  return { advance: (ms: number) => void (offset += ms) };
}

function signedFor(request: RecordedRequest, shopId: string): boolean {
  try {
    new Webhook(replaySecretFor(shopId)).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}

describe("each host serves its own shop", () => {
  it("with its own origin, name and colour, never the other's", async () => {
    const [a, b] = await twoShops();
    await a.origin.route("/", { body: "<h1>Alpha's front page</h1>", headers: { "content-type": "text/html" } });
    await b.origin.route("/", { body: "<h1>Beta's front page</h1>", headers: { "content-type": "text/html" } });
    expect(await (await visit(a, "/")).text()).toContain("Alpha's front page");
    expect(await (await visit(b, "/")).text()).toContain("Beta's front page");
    const status = await (await page(b, "/__stayopen/status")).text();
    expect(status).toContain("Beta");
    expect(status).toContain("#0000aa");
    expect(status).not.toContain("Alpha");
    expect(status).not.toContain("#aa0000");
  });
});

describe("a host no registered shop has", () => {
  const unknown = (path: string, init: RequestInit = {}) => dispatch(`https://nobody.example${path}`, platform, init);

  it("gets the neutral 404 page: stayopen's, with no shop's name, colour or content", async () => {
    const [a, b] = await twoShops();
    const response = await unknown("/", { headers: { accept: "text/html" } });
    expect(response.status).toBe(404);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("No shop here");
    for (const shop of [a, b]) {
      expect(html).not.toContain(shop.name);
      expect(html).not.toContain(shop.color);
      expect(html).not.toContain(shop.host);
    }
    // The page's own stylesheet is served on that host too.
    const css = html.match(/href="(\/__stayopen\/assets\/[^"]+)"/)![1]!;
    expect((await unknown(css.replace(/&amp;/g, "&"))).status).toBe(200);
  });

  it("gives programs the catalogue's JSON 404", async () => {
    await twoShops();
    const response = await unknown("/api/products", { headers: { accept: "application/json" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "no_shop", message: "No shop is served at this address." });
  });

  it("stores nothing and counts nothing: no snapshot, no KV entry, no origin call, no metrics", async () => {
    const [a, b] = await twoShops();
    const keys = async () => (await platform.SNAPSHOTS.list()).keys.map((key) => key.name).sort();
    const counters = async () => {
      await flushMetrics(platform);
      return Promise.all(["default", a.id, b.id].map((id) => metricsStub(platform, id).read()));
    };
    const [keysBefore, countersBefore] = [await keys(), await counters()];
    for (const path of ["/", "/p/1", "/sitemap.xml"]) await (await unknown(path)).text();
    await (
      await unknown("/orders/new", { method: "POST", body: "{}", headers: { "content-type": "application/json" } })
    ).text();
    await (await unknown("/__stayopen/notify", { method: "POST", body: '{"email":"a@example.com"}' })).text();
    expect(await keys()).toEqual(keysBefore);
    expect(await counters()).toEqual(countersBefore);
    expect(await a.origin.requests()).toEqual([]);
    expect(await b.origin.requests()).toEqual([]);
  });
});

describe("isolation between two shops", () => {
  it("snapshots: each shop's copy of the same path is its own, under its own keys", async () => {
    const [a, b] = await twoShops();
    const path = `/p/same-${crypto.randomUUID().slice(0, 6)}`;
    await a.origin.route(path, {
      body: "<p>Alpha's product</p>",
      headers: { "content-type": "text/html", "cache-control": "max-age=60" },
    });
    await b.origin.route(path, {
      body: "<p>Beta's product</p>",
      headers: { "content-type": "text/html", "cache-control": "max-age=60" },
    });
    await (await visit(a, path)).text();
    await (await visit(b, path)).text();
    const keys = (prefix: string) =>
      platform.SNAPSHOTS.list({ prefix }).then((list) => list.keys.map((key) => key.name));
    expect(await keys(`snap:${a.id}:`)).toEqual([`snap:${a.id}:${a.host}${path}`]);
    expect(await keys(`snap:${b.id}:`)).toEqual([`snap:${b.id}:${b.host}${path}`]);

    await takeDown(a);
    const stale = await visit(a, path);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    expect(await stale.text()).toContain("Alpha's product");
    const fresh = await visit(b, path);
    expect(fresh.headers.get("x-stayopen-source")).toBe("origin");
    expect(await fresh.text()).toContain("Beta's product");
  });

  it("breakers and probes: A's outage probes A's own HEALTH_PATH and leaves B on its origin", async () => {
    const [a, b] = await twoShops();
    await takeDown(a);
    expect((await a.origin.requests()).map((request) => request.path)).toContain(a.health);
    const answer = await visit(b, "/c/still-open");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-stayopen-source")).toBe("origin");
    expect(((await (await visit(b, "/__stayopen/status.json")).json()) as { origin: string }).origin).toBe("up");
    // B's origin saw only B's shopper, never A's probe or A's traffic.
    expect((await b.origin.requests()).map((request) => request.path)).toEqual(["/c/still-open"]);
    const unavailable = await page(a, "/c/never-seen");
    expect(unavailable.status).toBe(503);
    expect(await unavailable.text()).toContain("Alpha");
  });

  it("orders: a shop's queued orders reach only its own origin, signed with its own REPLAY_SECRET", async () => {
    const [a, b] = await twoShops();
    await takeDown(a);
    const accepted = await postOrder(a, "/orders/new", JSON.stringify({ sku: "A-1", qty: 1 }));
    expect(accepted.status).toBe(202);
    const { reference } = (await accepted.json()) as { reference: string };
    const shopA = await shopOf(a);
    expect(await getOrder(platform, await shopOf(b), reference)).toBeNull();

    await a.origin.setMode({ mode: "ok" });
    await new Promise((resolve) => setTimeout(resolve, 350));
    await deliver(shopA, reference);
    const delivered = (await a.origin.requests()).filter((request) => request.method === "POST");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body).toContain("A-1");
    expect(signedFor(delivered[0]!, a.id)).toBe(true);
    expect(signedFor(delivered[0]!, b.id)).toBe(false);
    expect((await b.origin.requests()).filter((request) => request.method === "POST")).toEqual([]);
  });

  it("rate limits: A's flood of orders while down leaves B's limit untouched for the same client", async () => {
    const [a, b] = await twoShops({ RATE_LIMIT_ORDERS_PER_MIN: "2" }, { RATE_LIMIT_ORDERS_PER_MIN: "2" });
    await takeDown(a);
    await takeDown(b);
    const ip = "203.0.113.9";
    const flood = [];
    for (let i = 0; i < 4; i++) flood.push((await postOrder(a, "/orders/flood", `{"n":${i}}`, ip)).status);
    expect(flood.slice(0, 2)).toEqual([202, 202]);
    expect(flood.slice(2)).toEqual([429, 429]);
    expect((await postOrder(b, "/orders/calm", '{"n":1}', ip)).status).toBe(202);
    expect((await postOrder(b, "/orders/calm", '{"n":2}', ip)).status).toBe(202);
  });

  it("stock: the last item of a SKU reserved in A is still there in B", async () => {
    const [a, b] = await twoShops();
    const sku = `SKU-${crypto.randomUUID().slice(0, 6)}`;
    const level = { stock: 1, stockAsOf: Date.now() };
    expect(await stockObject(platform, await shopOf(a), sku).reserve({ id: "a1", qty: 1, ...level })).toEqual({
      ok: true,
      available: 0,
    });
    expect(await stockObject(platform, await shopOf(b), sku).available(level)).toBe(1);
  });

  it("subscribers: a shopper who asks A to tell them is on A's list only", async () => {
    const [a, b] = await twoShops();
    const email = `shopper-${crypto.randomUUID().slice(0, 6)}@example.com`;
    const response = await visit(a, "/__stayopen/notify", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.44" },
      body: JSON.stringify({ email }),
    });
    expect(response.status).toBeLessThan(300);
    expect((await subscriberList(platform, await shopOf(a)).list()).map((row) => row.email)).toContain(email);
    expect((await subscriberList(platform, await shopOf(b)).list()).map((row) => row.email)).not.toContain(email);
  });

  it("incidents and metrics: A's outage is in A's history and counts, with shop labels, never in B's", async () => {
    const [a, b] = await twoShops({ INCIDENT_MIN_S: "1" }, { INCIDENT_MIN_S: "1" });
    await (await visit(b, "/c/b-traffic")).text();
    await takeDown(a);
    await (await visit(a, "/c/a-traffic")).text();
    const incidents = async (shop: TestShop) =>
      ((await (await visit(shop, "/__stayopen/incidents.json")).json()) as { incidents: unknown[] }).incidents;
    await vi.waitFor(async () => expect(await incidents(a)).toHaveLength(1), { timeout: 3000, interval: 100 });
    expect(await incidents(b)).toEqual([]);

    const metricsA = await (await admin(a, "/metrics", adminTokenFor(a.id))).text();
    const metricsB = await (await admin(b, "/metrics", adminTokenFor(b.id))).text();
    const samples = (text: string) => text.split("\n").filter((line) => line && !line.startsWith("#"));
    expect(samples(metricsA).length).toBeGreaterThan(0);
    for (const line of samples(metricsA)) expect(line).toContain(`shop="${a.id}"`);
    for (const line of samples(metricsB)) expect(line).toContain(`shop="${b.id}"`);
    expect(metricsA).toMatch(new RegExp(`stayopen_origin_state\\{shop="${a.id}",state="down"\\} 1`));
    expect(metricsB).toMatch(new RegExp(`stayopen_origin_state\\{shop="${b.id}",state="up"\\} 1`));
  });

  it("admin tokens, dashboard sessions and staff bypass cookies: A's are worthless on B", async () => {
    const [a, b] = await twoShops();
    expect((await admin(a, "/status", adminTokenFor(a.id))).status).toBe(200);
    expect((await admin(b, "/status", adminTokenFor(a.id))).status).toBe(401);
    expect((await admin(b, "/status", adminTokenFor(b.id))).status).toBe(200);

    const login = await visit(a, "/__stayopen/admin/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: `https://${a.host}`,
        "sec-fetch-site": "same-origin",
      },
      body: new URLSearchParams({ token: adminTokenFor(a.id) }).toString(),
    });
    const session = login.headers.get("set-cookie")?.split(";")[0];
    expect(session).toMatch(/^stayopen_admin=/);
    expect((await visit(a, "/__stayopen/admin/status", { headers: { cookie: session! } })).status).toBe(200);
    expect((await visit(b, "/__stayopen/admin/status", { headers: { cookie: session! } })).status).toBe(401);

    const bypass = await admin(a, "/bypass", adminTokenFor(a.id), { method: "POST" });
    expect(bypass.status).toBe(200);
    const cookie = bypass.headers.get("set-cookie")!.split(";")[0]!;
    const onA = await visit(a, "/c/staff", { headers: { cookie } });
    expect(onA.headers.get("x-stayopen-bypass")).toBe("cookie");
    const onB = await visit(b, "/c/staff", { headers: { cookie } });
    expect(onB.headers.get("x-stayopen-bypass")).toBeNull();
  });
});

describe("the cron", () => {
  it("pre-warms every live shop from its own origin into its own snapshots, skipping deleted and broken ones", async () => {
    const critical = (name: string) => `/critical-${name}-${crypto.randomUUID().slice(0, 6)}`;
    const [pathA, pathB, pathGone] = [critical("a"), critical("b"), critical("gone")];
    const [a, b] = await twoShops();
    const gone = await newShop("Gone", "#00aa00");
    const broken = await newShop("Broken", "#aaaa00");
    for (const [shop, path] of [
      [a, pathA],
      [b, pathB],
      [gone, pathGone],
    ] as const) {
      await registerShop(platform, shop.id, {
        hosts: [shop.host],
        config: shopConfig(shop, { SHOP_URL: `https://${shop.host}`, CRITICAL_PATHS: path, SITEMAP_URL: "" }),
      });
    }
    await registerShop(platform, broken.id, { hosts: [broken.host], config: shopConfig(broken, { ORIGIN_URL: "" }) });
    await removeShop(platform, gone.id, "test");

    await runCron(platform);
    const fetched = async (shop: TestShop) => (await shop.origin.requests()).map((request) => request.path);
    expect(await fetched(a)).toContain(pathA);
    expect(await fetched(a)).not.toContain(pathB);
    expect(await fetched(b)).toContain(pathB);
    expect(await fetched(b)).not.toContain(pathA);
    expect(await fetched(gone)).toEqual([]);
    expect(await fetched(broken)).toEqual([]);
    const keys = (await platform.SNAPSHOTS.list({ prefix: `snap:${a.id}:` })).keys.map((key) => key.name);
    expect(keys).toContain(`snap:${a.id}:${a.host}${pathA}`);
    expect(keys.some((key) => key.includes(b.host))).toBe(false);
  });
});

describe("the cron without its registry", () => {
  it("logs that the registry did not answer and ends, rather than failing the run", async () => {
    const logged = vi.spyOn(console, "error");
    const unreachable = shopEnv({
      SHOP_REGISTRY: { getByName: () => ({ version: () => Promise.reject(new Error("registry down")) }) },
    });
    await runCron(unreachable);
    expect(logged.mock.calls.map(([line]) => String(line)).join("\n")).toMatch(/"event":"cron_skipped".*registry/);
  });
});

describe("one shop's trouble changes nothing for the other", () => {
  it("bad configuration: B with an unusable ORIGIN_URL gets its branded 503, A serves on", async () => {
    const [a, b] = await twoShops();
    await registerShop(platform, b.id, { hosts: [b.host], config: shopConfig(b, { ORIGIN_URL: "not a url" }) });
    const broken = await page(b, "/c/anything");
    expect(broken.status).toBe(503);
    const text = await broken.text();
    expect(text).toContain("Beta");
    expect(text).not.toContain("Alpha");
    const api = await visit(b, "/api/products", { headers: { accept: "application/json" } });
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: expect.any(String) });
    const fine = await visit(a, "/c/anything");
    expect(fine.status).toBe(200);
    expect(fine.headers.get("x-stayopen-source")).toBe("origin");
  });

  it("deletion: A's hosts answer 404 at once, B serves on, and A's queued orders still reach A's origin", async () => {
    const [a, b] = await twoShops();
    await takeDown(a);
    const accepted = await postOrder(a, "/orders/before-deletion", '{"sku":"A-9"}');
    expect(accepted.status).toBe(202);
    const { reference } = (await accepted.json()) as { reference: string };
    const shopA = await shopOf(a);

    expect(await removeShop(platform, a.id, "test")).toEqual(expect.any(Number));
    const gone = await page(a, "/");
    expect(gone.status).toBe(404);
    expect(await gone.text()).not.toContain("Alpha");
    expect((await visit(b, "/c/after")).headers.get("x-stayopen-source")).toBe("origin");

    await a.origin.setMode({ mode: "ok" });
    await new Promise((resolve) => setTimeout(resolve, 350));
    await deliver(shopA, reference);
    const delivered = (await a.origin.requests()).filter((request) => request.method === "POST");
    expect(delivered.map((request) => request.path)).toEqual(["/orders/before-deletion"]);
    expect(signedFor(delivered[0]!, a.id)).toBe(true);
  });

  it("secrets that no longer open (PLATFORM_TOKEN rotated): A's orders and webhooks are held, never sent unsigned, then go signed once PUT again", async () => {
    const [a] = await twoShops();
    await takeDown(a);
    const accepted = await postOrder(a, "/orders/while-rotating", '{"sku":"A-7"}');
    expect(accepted.status).toBe(202);
    const { reference } = (await accepted.json()) as { reference: string };
    const shopA = await shopOf(a);

    // What a rotation leaves: A's secrets sealed under a token this deployment no longer has.
    await sealUnderAnotherToken(a.id);
    const later = laterClock();
    later.advance(STALE_MS);
    const rotated = await shopOf(a);
    expect(rotated.config.replaySecret).toBeUndefined();
    expect(rotated.config.problems).toContainEqual({
      variable: "REPLAY_SECRET",
      message: expect.stringContaining("queued orders are held"),
    });

    const logged = vi.spyOn(console, "warn");
    await a.origin.setMode({ mode: "ok" });
    await new Promise((resolve) => setTimeout(resolve, 350));
    const shard = env.ORDER_QUEUE.getByName(
      shardName(a.id, shardOfReference(reference, shopA.config.orderQueue.shards)!),
    );
    for (let round = 0; round < 3; round++) await runDurableObjectAlarm(shard);
    expect((await a.origin.requests()).filter((request) => request.method === "POST")).toEqual([]);
    expect((await getOrder(platform, shopA, reference))?.state).toBe("queued");
    const held = logged.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"order_replay_held"'));
    expect(held.length).toBeGreaterThan(0);
    expect(held[0]).toContain('"reason":"replay_secret_unreadable"');
    // Its webhooks (incident updates, recovery) are signed with the same secret: not sent unsigned either.
    const hook = `${a.origin.url}/hooks/stayopen`;
    expect(await postWebhook(platform, a.id, hook, "msg_rotating", '{"event":"test"}')).toEqual({
      ok: false,
      error: "replay_secret_unreadable",
    });
    expect(await a.origin.requests("/hooks/stayopen")).toEqual([]);

    // The fix the docs give: PUT the shop again with its secrets.
    await registerShop(platform, a.id, { hosts: [a.host], config: shopConfig(a) });
    later.advance(STALE_MS);
    await deliver(shopA, reference);
    const delivered = (await a.origin.requests()).filter((request) => request.method === "POST");
    expect(delivered.map((request) => request.path)).toEqual(["/orders/while-rotating"]);
    expect(signedFor(delivered[0]!, a.id)).toBe(true);
    expect(await postWebhook(platform, a.id, hook, "msg_rotating", '{"event":"test"}')).toEqual({ ok: true });
    const [sent] = await a.origin.requests("/hooks/stayopen");
    expect(signedFor(sent!, a.id)).toBe(true);
  });

  it("a change written straight to the registry (another isolate's) is live here within 10 s", async () => {
    const [a] = await twoShops();
    const before = await (await page(a, "/__stayopen/status")).text();
    expect(before).toContain("Alpha");
    await registerBehindTheIsolate(a.id, {
      hosts: [a.host],
      config: shopConfig({ ...a, name: "Alpha Renamed" }),
      secrets: { ADMIN_TOKEN: adminTokenFor(a.id) },
    });
    const later = Date.now() + STALE_MS;
    vi.spyOn(Date, "now").mockImplementation(() => later);
    expect(await (await page(a, "/__stayopen/status")).text()).toContain("Alpha Renamed");
  });
});

describe("sister outlets (docs/many-shops.md)", () => {
  it("an outlet whose BACKUP_ORIGINS names its sister's origin with orders:true has its orders taken there while down", async () => {
    const south = await newShop("South", "#005500");
    const north = await newShop("North", "#550000", {
      BACKUP_ORIGINS: JSON.stringify([{ url: south.origin.url, orders: true }]),
    });
    await north.origin.setMode({ mode: "status", status: 502 });
    await (await visit(north, "/trip")).text();

    const response = await visit(north, "/orders/new", {
      method: "POST",
      body: '{"sku":"N-1"}',
      headers: { "content-type": "application/json", "idempotency-key": "north-1" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stayopen-source")).toBe("backup");
    const [taken] = (await south.origin.requests()).filter((request) => request.method === "POST");
    expect(taken).toMatchObject({ path: "/orders/new", body: '{"sku":"N-1"}' });
    // The sister knows whose order it is: the outlet's host and key come with it.
    expect(taken!.headers["x-forwarded-host"]).toBe(north.host);
    expect(taken!.headers["idempotency-key"]).toBe("north-1");
    expect((await north.origin.requests()).filter((request) => request.method === "POST")).toEqual([]);

    // The sister itself serves on, from its own origin, with its own name.
    const own = await page(south, "/__stayopen/status");
    expect(await own.text()).toContain("South");
    expect(((await (await visit(south, "/__stayopen/status.json")).json()) as { origin: string }).origin).toBe("up");
  });
});

describe("a request while the registry does not answer and the isolate has no copy yet", () => {
  const down = { getByName: () => ({ version: () => Promise.reject(new Error("registry down")) }) };

  it("gets an honest 503 with Retry-After in no shop's colours, never a raw 500", async () => {
    const cold = shopEnv({ SHOP_REGISTRY: down });
    const page = await dispatch("https://alpha.example/", cold, { headers: { accept: "text/html" } });
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("30");
    expect(await page.text()).toContain("Back in a moment");
    const api = await dispatch("https://alpha.example/api/cart", cold, { headers: { accept: "application/json" } });
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: "registry_unavailable" });
  });
});
