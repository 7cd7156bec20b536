import { env as testEnv } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetShops } from "../../src/config/shops";
import { registryObject } from "../support/registry";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

/** The suite's own: the registry object seals secrets with the token of its env, the worker's. */
const PLATFORM = (testEnv as Env).PLATFORM_TOKEN!;
const ADMIN_A = "shop-a-admin-token-0123456789";
const ADMIN_B = "shop-b-admin-token-0123456789";
const REPLAY = "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=";
const SECRETS = [PLATFORM, ADMIN_A, ADMIN_B, REPLAY, REPLAY.slice("whsec_".length)];

let originA: FakeOrigin;
let originB: FakeOrigin;
let env: Env;
/** Each test registers its own shops: ids and hosts carry the test's number. */
let n = 0;

beforeEach(async () => {
  [originA, originB] = await Promise.all([FakeOrigin.start(), FakeOrigin.start()]);
  env = shopEnv();
  forgetShops(env);
  n++;
});
afterEach(async () => {
  await Promise.all([originA.stop(), originB.stop()]);
});

function api(path: string, init: RequestInit = {}, token: string | null = PLATFORM, target = env) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return dispatch(`https://platform.test/__stayopen/platform${path}`, target, { ...init, headers });
}

const put = (id: string, body: unknown, target = env) =>
  api(
    `/shops/${id}`,
    { method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json" } },
    PLATFORM,
    target,
  );

/** A shop around a fake origin, its queue held long enough that no replay starts during a test. */
function shopBody(origin: FakeOrigin, hosts: string[], admin: string, config: Record<string, unknown> = {}) {
  return {
    hosts,
    config: {
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: "300",
      ORDER_RETRY_BASE_MS: 600_000,
      ORDER_RETRY_MAX_MS: 3_600_000,
      ...config,
    },
    secrets: { ADMIN_TOKEN: admin, REPLAY_SECRET: REPLAY },
  };
}

/** Registers shop a and shop b of this test; returns their ids and hosts. */
async function twoShops() {
  const a = { id: `t${n}-a`, host: `a-${n}.shop.test` };
  const b = { id: `t${n}-b`, host: `b-${n}.shop.test` };
  expect((await put(a.id, shopBody(originA, [a.host], ADMIN_A, { SHOP_NAME: "Shop A" }))).status).toBe(201);
  expect((await put(b.id, shopBody(originB, [b.host], ADMIN_B, { SHOP_NAME: "Shop B" }))).status).toBe(201);
  return { a, b };
}

const adminOn = (host: string, path: string, token: string, init: RequestInit = {}) =>
  dispatch(`https://${host}/__stayopen/admin${path}`, env, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });

const maintenanceOn = (host: string) =>
  adminOn(host, "/maintenance", PLATFORM, { method: "POST", body: JSON.stringify({ on: true, message: "Back soon" }) });

async function queueOrderOn(host: string): Promise<string> {
  const response = await dispatch(`https://${host}/api/orders`, env, {
    method: "POST",
    body: JSON.stringify({ sku: "tea", qty: 1 }),
    headers: { "content-type": "application/json" },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { reference: string }).reference;
}

type Row = {
  id: string;
  hosts: string[];
  origin: string;
  mode: string;
  queuedOrders: number;
  deletedAt: string | null;
};
const listed = async (): Promise<Row[]> => ((await (await api("/shops")).json()) as { shops: Row[] }).shops;

describe("the platform door", () => {
  it("does not exist without PLATFORM_TOKEN: every platform route is 404", async () => {
    const none = shopEnv({ PLATFORM_TOKEN: "" });
    for (const [path, method] of [
      ["/shops", "GET"],
      ["/shops/x", "PUT"],
      ["/shops/x", "GET"],
      ["/shops/x", "DELETE"],
      ["/shops/x/orders", "GET"],
      ["/status", "GET"],
      ["", "GET"],
      ["/login", "GET"],
    ] as const) {
      const response = await api(path, { method }, PLATFORM, none);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
  });

  it("is closed with a 503 naming PLATFORM_TOKEN when it is too short, never open", async () => {
    const short = shopEnv({ PLATFORM_TOKEN: "short-platform-token" });
    const response = await api("/shops", {}, "short-platform-token", short);
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: "config_invalid" });
    expect(body).toContain("PLATFORM_TOKEN must be at least 32 characters");
    expect(body).not.toContain("short-platform-token");
  });

  it("answers a wrong or missing token 401 and stores nothing", async () => {
    const body = JSON.stringify(shopBody(originA, [`wrong-${n}.shop.test`], ADMIN_A));
    const init = { method: "PUT", body, headers: { "content-type": "application/json" } };
    const wrong = await api(`/shops/t${n}-x`, init, "not-the-platform-token-0123456789");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="stayopen-platform"');
    expect(await wrong.json()).toMatchObject({
      error: "unauthorized",
      message: "Send Authorization: Bearer <PLATFORM_TOKEN>.",
    });
    expect((await api(`/shops/t${n}-x`, init, null)).status).toBe(401);
    // A shop's own admin token is no platform token.
    expect((await api("/shops", {}, ADMIN_A)).status).toBe(401);
    expect((await api(`/shops/t${n}-x`)).status).toBe(404);
  });

  it("refuses a client that keeps guessing with 429 after RATE_LIMIT_ADMIN_FAILURES_PER_MIN, while the right token works", async () => {
    const limited = shopEnv({ RATE_LIMIT_ADMIN_FAILURES_PER_MIN: "3" });
    const guesser = { "cf-connecting-ip": `198.51.100.${n}` };
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await api("/shops", { headers: guesser }, `guess-${i}-0123456789abcdefghijklmn`, limited)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limitedAgain = await api("/status", { headers: guesser }, "another-guess-0123456789abcdefghij", limited);
    expect(limitedAgain.status).toBe(429);
    expect(Number(limitedAgain.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await api("/shops", { headers: guesser }, PLATFORM, limited)).status).toBe(200);
  });

  it("answers on any host, registered or not, never as a shop", async () => {
    await twoShops();
    const response = await dispatch(`https://a-${n}.shop.test/__stayopen/platform/shops`, env, {
      headers: { authorization: `Bearer ${PLATFORM}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    expect((await api("/shops")).status).toBe(200);
  });
});

describe("PUT /__stayopen/platform/shops/<id>", () => {
  it("creates (201) then replaces (200) a shop, naming its secrets and never echoing them", async () => {
    const id = `t${n}-a`;
    const created = await put(id, shopBody(originA, [`A-${n}.Shop.test:8443`], ADMIN_A, { SHOP_NAME: "Shop A" }));
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/__stayopen/platform/shops/${id}`);
    const body = await created.text();
    for (const secret of SECRETS) expect(body).not.toContain(secret);
    expect(JSON.parse(body)).toMatchObject({
      id,
      hosts: [`a-${n}.shop.test`],
      config: { ORIGIN_URL: originA.url, SHOP_NAME: "Shop A" },
      secrets: ["ADMIN_TOKEN", "REPLAY_SECRET"],
    });

    const replaced = await put(id, shopBody(originA, [`a-${n}.shop.test`], ADMIN_A, { SHOP_NAME: "Shop A2" }));
    expect(replaced.status).toBe(200);

    const read = await api(`/shops/${id}`);
    expect(read.status).toBe(200);
    const text = await read.text();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({
      id,
      hosts: [`a-${n}.shop.test`],
      config: { SHOP_NAME: "Shop A2" },
      secrets: ["ADMIN_TOKEN", "REPLAY_SECRET"],
      deletedAt: null,
    });
    // Served at once, with its own branding.
    const page = await dispatch(`https://a-${n}.shop.test/__stayopen/status`, env, {
      headers: { accept: "text/html" },
    });
    expect(await page.text()).toContain("Shop A2");
  });

  it("answers 400 naming the field, and stores nothing", async () => {
    const id = `t${n}-bad`;
    const good = shopBody(originA, [`bad-${n}.shop.test`], ADMIN_A);
    const cases: [unknown, string][] = [
      [{ ...good, config: { ...good.config, ORIGIN_URL: "ftp://origin" } }, "config.ORIGIN_URL"],
      [{ ...good, config: { ...good.config, ORGIN_URL: originA.url } }, "config.ORGIN_URL"],
      [{ ...good, config: { ...good.config, ADMIN_TOKEN: ADMIN_A } }, "config.ADMIN_TOKEN"],
      [{ ...good, secrets: { ...good.secrets, SHOP_NAME: "x" } }, "secrets.SHOP_NAME"],
      [{ ...good, secrets: { ADMIN_TOKEN: "short" } }, "secrets.ADMIN_TOKEN"],
      [{ ...good, config: { ...good.config, RETRY_AFTER_S: "soon" } }, "config.RETRY_AFTER_S"],
      [{ ...good, hosts: ["https://bad.example/"] }, "hosts[0]"],
      [{ ...good, hosts: [] }, "hosts"],
    ];
    for (const [body, field] of cases) {
      const response = await put(id, body);
      expect(response.status, field).toBe(400);
      const answer = await response.text();
      expect(JSON.parse(answer), field).toMatchObject({ error: "invalid_shop", field });
      expect(JSON.parse(answer).message, field).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")} `));
      for (const secret of SECRETS) expect(answer).not.toContain(secret);
    }
    const badId = await put("Not_An_Id", good);
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ field: "id" });
    expect((await put("default", good)).status).toBe(400);
    const notJson = await api(`/shops/${id}`, {
      method: "PUT",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(notJson.status).toBe(400);
    expect((await api(`/shops/${id}`)).status).toBe(404);
  });

  it("answers 409 naming the host and its owner when a host belongs to another shop", async () => {
    const { a, b } = await twoShops();
    const response = await put(b.id, shopBody(originB, [b.host, a.host.toUpperCase()], ADMIN_B));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: "host_taken", host: a.host, shop: a.id });
    // Nothing changed: b keeps its one host, a still serves its own.
    expect(((await (await api(`/shops/${b.id}`)).json()) as { hosts: string[] }).hosts).toEqual([b.host]);
    expect((await adminOn(a.host, "/status", ADMIN_A)).status).toBe(200);
  });

  it("never writes a secret into a log line, and logs who changed which variables", async () => {
    const lines: string[] = [];
    const spies = (["log", "warn", "error"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line))),
    );
    try {
      const { a } = await twoShops();
      await put(a.id, shopBody(originA, [a.host], ADMIN_B, { SHOP_NAME: "Renamed" }));
      await put(a.id, { ...shopBody(originA, [a.host], ADMIN_A), secrets: { ADMIN_TOKEN: "short" } });
      await api("/shops");
      await api("/status");
      await api(`/shops/${a.id}`);
      await api(`/shops/${a.id}`, { method: "DELETE" });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const all = lines.join("\n");
    for (const secret of [...SECRETS, "short"]) expect(all).not.toContain(secret);
    const replaced = lines.map((line) => JSON.parse(line)).find((entry) => entry.event === "shop_replaced");
    expect(replaced).toMatchObject({ shop: `t${n}-a`, actor: expect.stringMatching(/^platform token from /) });
    expect(replaced.changed).toEqual(expect.arrayContaining(["ADMIN_TOKEN", "SHOP_NAME"]));
  });
});

describe("a change whose follow-up read of the registry fails", () => {
  /**
   * The registry takes the change, then does not answer reads (as an object that is reset or overloaded
   * right after a write): the registry binding's own stubs, with reads failing while `reading` is false.
   */
  function flakyReads() {
    const state = { reading: true };
    const binding = {
      getByName(name: string) {
        const real = testEnv.SHOP_REGISTRY.getByName(name);
        if (state.reading) return real;
        const refused = () => Promise.reject(new Error("Durable Object reset because its code was updated."));
        return {
          put: (...args: Parameters<typeof real.put>) => real.put(...args),
          remove: (...args: Parameters<typeof real.remove>) => real.remove(...args),
          version: refused,
          snapshot: refused,
        };
      },
    };
    return { state, env: shopEnv({ SHOP_REGISTRY: binding }) };
  }

  it("answers what was done (201, then 200 for the DELETE) and serves the change at once from the change's own result", async () => {
    const flaky = flakyReads();
    const shop = { id: `t${n}-flaky`, host: `flaky-${n}.shop.test` };
    const other = { id: `t${n}-other`, host: `other-${n}.shop.test` };
    // This isolate has a copy; then another isolate changes the registry, so this one's change is not the next
    // version it knows and the rest must be read: that read is what fails.
    expect((await api("/shops", {}, PLATFORM, flaky.env)).status).toBe(200);
    const registered = await registryObject().put(
      other.id,
      { hosts: [other.host], config: { ORIGIN_URL: originB.url }, secrets: {} },
      "another-isolate",
    );
    expect(registered).toMatchObject({ ok: true });
    const warned = vi.spyOn(console, "warn");

    flaky.state.reading = false;
    const created = await put(shop.id, shopBody(originA, [shop.host], ADMIN_A, { SHOP_NAME: "Flaky" }), flaky.env);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: shop.id, hosts: [shop.host] });
    expect(warned.mock.calls.map(([line]) => String(line)).join("\n")).toMatch(
      new RegExp(`"event":"registry_refresh_failed".*"shop":"${shop.id}"`),
    );
    const served = await dispatch(`https://${shop.host}/__stayopen/status`, flaky.env);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain("Flaky");

    const deleted = await api(`/shops/${shop.id}`, { method: "DELETE" }, PLATFORM, flaky.env);
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ id: shop.id, deletedAt: expect.stringMatching(/^\d{4}-/) });
    expect((await dispatch(`https://${shop.host}/`, flaky.env)).status).toBe(404);

    flaky.state.reading = true;
    expect(await (await api(`/shops/${shop.id}`)).json()).toMatchObject({ deletedAt: expect.any(String) });
  });
});

describe("the list and the status of every shop", () => {
  it("shows each shop's hosts, origin state, mode and queued orders", async () => {
    const { a, b } = await twoShops();
    expect((await maintenanceOn(b.host)).status).toBe(200);
    await queueOrderOn(b.host);

    const rows = (await listed()).filter((row) => row.id.startsWith(`t${n}-`));
    expect(rows).toEqual([
      {
        id: a.id,
        hosts: [a.host],
        origin: "up",
        mode: "auto",
        queuedOrders: 0,
        ordersNeedingAttention: 0,
        deletedAt: null,
      },
      {
        id: b.id,
        hosts: [b.host],
        origin: "up",
        mode: "maintenance",
        queuedOrders: 1,
        ordersNeedingAttention: 0,
        deletedAt: null,
      },
    ]);

    const status = (await (await api("/status")).json()) as { shops: Record<string, Record<string, unknown>> };
    // Each is exactly the shop's own status.json.
    for (const shop of [a, b]) {
      const own = await (await dispatch(`https://${shop.host}/__stayopen/status.json`, env)).json();
      expect(status.shops[shop.id]).toEqual(own);
    }
    expect(status.shops[b.id]).toMatchObject({ mode: "maintenance", message: "Back soon", queuedOrders: 1 });
  });
});

describe("the platform token on a shop's admin API", () => {
  it("opens every shop's admin API on that shop's host; a shop's own token opens only its own", async () => {
    const { a, b } = await twoShops();
    for (const shop of [a, b]) expect((await adminOn(shop.host, "/status", PLATFORM)).status).toBe(200);
    expect((await adminOn(a.host, "/status", ADMIN_A)).status).toBe(200);
    expect((await adminOn(b.host, "/status", ADMIN_A)).status).toBe(401);
  });
});

describe("a deleted shop", () => {
  it("stops being served, and its queued orders stay listed and actionable until discarded", async () => {
    const { a, b } = await twoShops();
    await maintenanceOn(b.host);
    const reference = await queueOrderOn(b.host);

    const deleted = await api(`/shops/${b.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ id: b.id, queue: { queued: 1 } });
    expect((await dispatch(`https://${b.host}/`, env)).status).toBe(404);
    expect((await api(`/shops/${b.id}`, { method: "DELETE" })).status).toBe(404);

    const rows = (await listed()).filter((row) => row.id.startsWith(`t${n}-`));
    expect(rows.map((row) => [row.id, row.deletedAt !== null, row.queuedOrders])).toEqual([
      [a.id, false, 0],
      [b.id, true, 1],
    ]);

    const orders = await api(`/shops/${b.id}/orders?state=queued`);
    expect(orders.status).toBe(200);
    expect(((await orders.json()) as { orders: { reference: string }[] }).orders.map((o) => o.reference)).toEqual([
      reference,
    ]);
    const discarded = await api(`/shops/${b.id}/orders/${reference}/discard`, { method: "POST" });
    expect(discarded.status).toBe(200);
    expect(await discarded.json()).toEqual({ reference, state: "discarded" });

    // Nothing left to see through: the deleted shop leaves the list.
    expect((await listed()).map((row) => row.id)).not.toContain(b.id);
    expect((await api(`/shops/nobody-${n}/orders`)).status).toBe(404);
  });
});

describe("a shop whose ORIGIN_URL is replaced", () => {
  it("ends the old origin's outage with the PUT: its monitor is retired and the incident closes", async () => {
    const a = { id: `t${n}-a`, host: `a-${n}.shop.test` };
    const body = (origin: FakeOrigin) =>
      shopBody(origin, [a.host], ADMIN_A, {
        BREAKER_FAILURES: "1",
        INCIDENT_MIN_S: "0",
        BREAKER_COOLDOWN_MS: "600000",
      });
    expect((await put(a.id, body(originA))).status).toBe(201);
    await originA.setMode({ mode: "status", status: 503 });
    const incidents = async () =>
      (
        (await (await dispatch(`https://${a.host}/__stayopen/incidents.json`, env)).json()) as {
          incidents: { endedAt: string | null }[];
        }
      ).incidents;
    await vi.waitFor(
      async () => {
        await (await dispatch(`https://${a.host}/c/shoes`, env, { headers: { accept: "text/html" } })).text();
        expect(await incidents()).toMatchObject([{ endedAt: null }]);
      },
      { timeout: 5000, interval: 200 },
    );

    expect((await put(a.id, body(originB))).status).toBe(200);
    // The monitor reports the end to the incident log as it retires (in order, in the background).
    await vi.waitFor(async () => expect((await incidents())[0]!.endedAt).not.toBeNull(), {
      timeout: 3000,
      interval: 100,
    });
  });
});

describe("a platform of many shops", () => {
  it("lists them a page at a time (each shop costs Durable Object calls), following next links to the end", async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `t${n}-p${String(i).padStart(2, "0")}`);
    for (const id of ids) expect((await put(id, shopBody(originA, [`${id}.shop.test`], ADMIN_A))).status).toBe(201);
    const seen: string[] = [];
    let next: string | null = "/__stayopen/platform/shops";
    let pages = 0;
    while (next) {
      const page = (await (await api(next.replace("/__stayopen/platform", ""))).json()) as {
        shops: { id: string }[];
        next: string | null;
      };
      expect(page.shops.length).toBeLessThanOrEqual(20);
      seen.push(...page.shops.map((row) => row.id));
      next = page.next;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen.filter((id) => id.startsWith(`t${n}-p`))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
