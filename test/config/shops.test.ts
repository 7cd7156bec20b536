import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FRESH_MS, REGISTRY_WAIT_MS, registeredShops, resolveShop, shopById, STALE_MS } from "../../src/config/shops";
import { forgetShops, registerBehindTheIsolate, registerShop, registryObject } from "../support/registry";
import { shopEnv, type EnvOverrides } from "../support/worker";

const newId = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
/** Registry lookups logged: one `registry_loaded` per snapshot fetched. */
const snapshotsFetched = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.filter(([line]) => String(line).includes('"registry_loaded"')).length;

let now: number;
beforeEach(() => {
  forgetShops(env);
  now = Date.now();
  vi.spyOn(Date, "now").mockImplementation(() => now);
});
afterEach(() => vi.restoreAllMocks());

describe("which shop a host is", () => {
  it("is the vars shop for every host while no shop was ever registered", async () => {
    // Storage is per test file and this test runs first: the registry is empty.
    expect((await registryObject().snapshot()).shops).toEqual([]);
    const shop = await resolveShop(env, "anything.example");
    expect(shop).toMatchObject({ id: "default", hosts: [] });
    expect(shop?.config.shopName).toBe((shopEnv() as unknown as EnvOverrides).SHOP_NAME);
    expect((await registeredShops(env)).map((s) => s.id)).toEqual(["default"]);
  });

  it("is the registered shop for its host (any case, any port), with its own configuration over the schema's defaults", async () => {
    const id = newId("alpha");
    await registerShop(env, id, {
      hosts: [`${id}.example`, `www.${id}.example`],
      config: { ORIGIN_URL: "https://alpha-origin.example", SHOP_NAME: "Alpha" },
    });
    const shop = await resolveShop(env, `WWW.${id.toUpperCase()}.example:8443`);
    expect(shop).toMatchObject({ id, hosts: [`${id}.example`, `www.${id}.example`] });
    expect(shop?.config).toMatchObject({ originUrl: "https://alpha-origin.example", shopName: "Alpha", problems: [] });
    // Not the deployment's vars: a variable the shop did not set has the schema's default.
    expect(shop?.config.criticalPaths).toEqual(["/"]);
    expect(shop?.config.adminToken).toBe(`admin-token-of-${id}-0123456789`);
    expect(shop?.config.replaySecret).toMatch(/^whsec_/);
    expect(shop?.config.platformToken).toBeUndefined();
  });

  it("is no shop for an unknown host once shops are registered", async () => {
    await registerShop(env, newId("known"), { hosts: [`${newId("known")}.example`], config: {} });
    expect(await resolveShop(env, "unknown.example")).toBeNull();
  });

  it("stays the vars shop for every host without PLATFORM_TOKEN, whatever the registry holds", async () => {
    const id = newId("ignored");
    await registerShop(env, id, { hosts: [`${id}.example`], config: { SHOP_NAME: "Ignored" } });
    const single = shopEnv({ PLATFORM_TOKEN: undefined });
    expect(await resolveShop(single, `${id}.example`)).toMatchObject({ id: "default" });
    expect(await resolveShop(single, "unknown.example")).toMatchObject({ id: "default" });
    expect((await registeredShops(single)).map((shop) => shop.id)).toEqual(["default"]);
  });
});

describe("deleted shops", () => {
  it("stop answering at once on this isolate, and stay known by id with their configuration", async () => {
    const id = newId("deleted");
    await registerShop(env, id, { hosts: [`${id}.example`], config: { ORIGIN_URL: "https://deleted.example" } });
    const { removeShop } = await import("../../src/config/shops");
    expect(await removeShop(env, id, "test")).toEqual(expect.any(Number));
    expect(await resolveShop(env, `${id}.example`)).toBeNull();
    expect((await registeredShops(env)).some((shop) => shop.id === id)).toBe(false);
    const deleted = await shopById(env, id);
    expect(deleted?.deletedAt).toEqual(expect.any(Number));
    expect(deleted?.config.originUrl).toBe("https://deleted.example");
    expect(deleted?.config.replaySecret).toMatch(/^whsec_/);
  });

  it('"default" is always the vars shop by id (state kept before the first shop was registered)', async () => {
    expect(await shopById(env, "default")).toMatchObject({ id: "default", deletedAt: null, hosts: [] });
    expect(await shopById(env, "never-registered")).toBeUndefined();
  });
});

describe("a change made behind this isolate's back (another isolate's platform API)", () => {
  it("is seen after 5 s in the background, and after 10 s before the request is answered", async () => {
    const id = newId("live");
    const host = `${id}.example`;
    await registerShop(env, id, { hosts: [host], config: { SHOP_NAME: "Before" } });
    const change = (name: string) =>
      registerBehindTheIsolate(id, { hosts: [host], config: { SHOP_NAME: name }, secrets: {} });

    // Fresh copy: used as it is, the registry not asked.
    await change("Second");
    now += FRESH_MS - 1;
    expect((await resolveShop(env, host))?.config.shopName).toBe("Before");

    // Between 5 and 10 s: the old copy answers, the refresh goes to the background.
    now += 2;
    const background: Promise<unknown>[] = [];
    expect((await resolveShop(env, host, (promise) => background.push(promise)))?.config.shopName).toBe("Before");
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect((await resolveShop(env, host))?.config.shopName).toBe("Second");

    // Older than 10 s: the request waits for the refresh (which it also hands to waitUntil, so that the read
    // others may join is finished even if this request's client leaves first).
    await change("Third");
    now += STALE_MS;
    const waited: Promise<unknown>[] = [];
    expect((await resolveShop(env, host, (promise) => waited.push(promise)))?.config.shopName).toBe("Third");
    expect(waited).toHaveLength(1);
  });

  it("fetches the shops only when the registry's version changed", async () => {
    const id = newId("quiet");
    await registerShop(env, id, { hosts: [`${id}.example`], config: {} });
    const logged = vi.spyOn(console, "log");
    for (let round = 0; round < 3; round++) {
      now += STALE_MS;
      expect(await resolveShop(env, `${id}.example`)).toMatchObject({ id });
    }
    expect(snapshotsFetched(logged)).toBe(0);
    await registerBehindTheIsolate(newId("other"), { hosts: [`${newId("other")}.example`], config: {}, secrets: {} });
    now += STALE_MS;
    await resolveShop(env, `${id}.example`);
    expect(snapshotsFetched(logged)).toBe(1);
  });

  it("keeps serving the copy it has when the registry does not answer, and tries again in the background", async () => {
    let failing = false;
    const binding = {
      getByName: (name: string) =>
        failing ? { version: () => Promise.reject(new Error("registry down")) } : env.SHOP_REGISTRY.getByName(name),
    };
    const flaky = shopEnv({ SHOP_REGISTRY: binding });
    const id = newId("kept");
    await registerShop(flaky, id, { hosts: [`${id}.example`], config: {} });
    failing = true;
    now += STALE_MS;
    expect(await resolveShop(flaky, `${id}.example`)).toMatchObject({ id });
    // Not awaited again on every request: the next ones get the copy at once and retry in the background.
    const background: Promise<unknown>[] = [];
    expect(await resolveShop(flaky, `${id}.example`, (promise) => background.push(promise))).toMatchObject({ id });
    expect(background).toHaveLength(1);
    await Promise.all(background);
    failing = false;
    now += FRESH_MS;
    await resolveShop(flaky, `${id}.example`, (promise) => background.push(promise));
    await Promise.all(background);
    const other = newId("after");
    await registerBehindTheIsolate(other, { hosts: [`${other}.example`], config: {}, secrets: {} });
    now += STALE_MS;
    expect(await resolveShop(flaky, `${other}.example`)).toMatchObject({ id: other });
  });

  it("opens only the shop a request is for: a new isolate does not decrypt and parse every shop first", async () => {
    const wanted = newId("wanted");
    const other = newId("other");
    await registerBehindTheIsolate(wanted, { hosts: [`${wanted}.example`], config: {}, secrets: {} });
    // Opening this one would log its bad ORIGIN_URL.
    await registerBehindTheIsolate(other, {
      hosts: [`${other}.example`],
      config: { ORIGIN_URL: "not a url" },
      secrets: {},
    });
    forgetShops(env);
    const logged = vi.spyOn(console, "error");
    expect(await resolveShop(env, `${wanted}.example`)).toMatchObject({ id: wanted });
    const opened = (id: string) =>
      logged.mock.calls.some(([line]) => String(line).includes(`"config_invalid"`) && String(line).includes(id));
    expect(opened(other)).toBe(false);
    expect(await resolveShop(env, `${other}.example`)).toMatchObject({ id: other });
    expect(opened(other)).toBe(true);
  });

  it("keeps serving registered shops with a PLATFORM_TOKEN too short for the door, naming every secret it cannot open", async () => {
    const id = newId("short");
    await registerBehindTheIsolate(id, {
      hosts: [`${id}.example`],
      config: {},
      secrets: { ADMIN_TOKEN: "shop-admin-token-0123456789" },
    });
    const short = shopEnv({ PLATFORM_TOKEN: "too-short" });
    forgetShops(short);
    const shop = await resolveShop(short, `${id}.example`);
    // Its own shop, not the deployment's vars: a bad token closes the platform door, not every shop.
    expect(shop).toMatchObject({ id });
    expect(shop?.config.adminToken).toBeUndefined();
    expect(shop?.config.problems).toContainEqual({
      variable: "ADMIN_TOKEN",
      message: "is stored but does not open with this PLATFORM_TOKEN: PUT the shop's secrets again",
    });
  });

  it("reads the registry itself once a read another request started has run REGISTRY_WAIT_MS (that request may be gone)", async () => {
    let lost = false;
    const binding = {
      getByName: (name: string) =>
        lost ? { version: () => new Promise(() => {}) } : env.SHOP_REGISTRY.getByName(name),
    };
    const isolate = shopEnv({ SHOP_REGISTRY: binding });
    const id = newId("before");
    await registerShop(isolate, id, { hosts: [`${id}.example`], config: {} });
    // A background read whose request ends before it does: it never settles in this isolate.
    lost = true;
    now += FRESH_MS;
    const background: Promise<unknown>[] = [];
    expect(await resolveShop(isolate, `${id}.example`, (promise) => background.push(promise))).toMatchObject({ id });
    expect(background).toHaveLength(1);
    lost = false;
    const other = newId("after");
    await registerBehindTheIsolate(other, { hosts: [`${other}.example`], config: {}, secrets: {} });
    now += STALE_MS;
    const started = performance.now();
    expect(await resolveShop(isolate, `${other}.example`)).toMatchObject({ id: other });
    expect(performance.now() - started).toBeLessThan(REGISTRY_WAIT_MS);
  });

  it("does not let a registry that never answers hold a request longer than REGISTRY_WAIT_MS", async () => {
    const silent = shopEnv({ SHOP_REGISTRY: { getByName: () => ({ version: () => new Promise(() => {}) }) } });
    const started = performance.now();
    await expect(resolveShop(silent, "any.example")).rejects.toThrow(/did not answer within/);
    expect(performance.now() - started).toBeLessThan(REGISTRY_WAIT_MS + 1_000);
  });
});
