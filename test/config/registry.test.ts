import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/config/env";
import { openSecrets } from "../../src/config/secret-box";
import { registryObject } from "../support/registry";

const secrets = { ADMIN_TOKEN: "shop-admin-token-0123456789", REPLAY_SECRET: "whsec_c2hvcC1yZXBsYXktc2VjcmV0LTAx" };
/** A fresh id per test: the registry object's storage lasts for the whole file. */
const newId = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
const newHost = (name: string) => `${newId(name)}.example`;

const token = (env as Env).PLATFORM_TOKEN!;

afterEach(() => vi.restoreAllMocks());

describe("the shop registry object", () => {
  it("creates a shop, then replaces it whole, bumping the version each time", async () => {
    const registry = registryObject();
    const id = newId("shop");
    const host = newHost("a");
    const before = await registry.version();
    const created = await registry.put(
      id,
      { hosts: [host], config: { ORIGIN_URL: "https://a.example" }, secrets },
      "tester",
    );
    expect(created).toMatchObject({ ok: true, created: true, version: before + 1 });
    const replaced = await registry.put(
      id,
      { hosts: [host], config: { SHOP_NAME: "A" }, secrets: { ADMIN_TOKEN: secrets.ADMIN_TOKEN } },
      "tester",
    );
    expect(replaced).toMatchObject({ ok: true, created: false, version: before + 2 });
    const stored = (await registry.snapshot()).shops.find((shop) => shop.id === id)!;
    // The change's own result is the shop as stored: the isolate that made it serves it without a read.
    expect(replaced.ok && replaced.shop).toEqual(stored);
    // PUT replaces the whole shop: ORIGIN_URL and REPLAY_SECRET are gone.
    expect(stored).toMatchObject({
      hosts: [host],
      config: { SHOP_NAME: "A" },
      secretNames: ["ADMIN_TOKEN"],
      deletedAt: null,
    });
    expect(await openSecrets(token, id, stored.secrets)).toEqual({ ADMIN_TOKEN: secrets.ADMIN_TOKEN });
    expect(stored.updatedAt).toBeGreaterThanOrEqual(stored.createdAt);
  });

  it("refuses a host another live shop has, and changes nothing then", async () => {
    const registry = registryObject();
    const [a, b, host] = [newId("a"), newId("b"), newHost("shared")];
    await registry.put(a, { hosts: [host], config: {}, secrets: {} }, "tester");
    const version = await registry.version();
    const result = await registry.put(b, { hosts: [newHost("own"), host], config: {}, secrets: {} }, "tester");
    expect(result).toEqual({ ok: false, conflict: { host, shop: a } });
    expect(await registry.version()).toBe(version);
    expect((await registry.snapshot()).shops.some((shop) => shop.id === b)).toBe(false);
  });

  it("gives a host to exactly one of two shops that claim it at once", async () => {
    const registry = registryObject();
    const host = newHost("race");
    const ids = Array.from({ length: 6 }, () => newId("racer"));
    const results = await Promise.all(
      ids.map((id) => registry.put(id, { hosts: [host], config: {}, secrets }, "tester")),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const winner = ids[results.findIndex((result) => result.ok)];
    for (const result of results.filter((result) => !result.ok))
      expect(result).toEqual({ ok: false, conflict: { host, shop: winner } });
    const owners = (await registry.snapshot()).shops.filter((shop) => shop.hosts.includes(host));
    expect(owners.map((shop) => shop.id)).toEqual([winner]);
  });

  it("keeps a deleted shop's configuration and secrets, frees its hosts, and bumps the version", async () => {
    const registry = registryObject();
    const [a, b, host] = [newId("gone"), newId("heir"), newHost("freed")];
    await registry.put(a, { hosts: [host], config: { ORIGIN_URL: "https://gone.example" }, secrets }, "tester");
    const version = await registry.version();
    expect(await registry.remove(a, "tester")).toMatchObject({ id: a, deletedAt: expect.any(Number) });
    expect(await registry.version()).toBe(version + 1);
    expect(await registry.remove(a, "tester")).toBeNull();
    expect(await registry.version()).toBe(version + 1);
    const gone = (await registry.snapshot()).shops.find((shop) => shop.id === a)!;
    expect(gone.deletedAt).toEqual(expect.any(Number));
    expect(gone.config).toEqual({ ORIGIN_URL: "https://gone.example" });
    expect(await openSecrets(token, a, gone.secrets)).toEqual(secrets);
    // The host is free for another shop now.
    expect(await registry.put(b, { hosts: [host], config: {}, secrets: {} }, "tester")).toMatchObject({ ok: true });
    // Registered again, the deleted shop is created anew (and may not take the heir's host).
    expect(await registry.put(a, { hosts: [host], config: {}, secrets: {} }, "tester")).toEqual({
      ok: false,
      conflict: { host, shop: b },
    });
    expect(await registry.put(a, { hosts: [newHost("back")], config: {}, secrets: {} }, "tester")).toMatchObject({
      ok: true,
      created: true,
    });
  });

  it("stores secrets only sealed: no secret value anywhere in its raw storage", async () => {
    const registry = registryObject();
    const id = newId("sealed");
    await registry.put(id, { hosts: [newHost("sealed")], config: { SHOP_NAME: "Sealed" }, secrets }, "tester");
    const dump = await runInDurableObject(registry, (_instance, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((table) => table.name)
        .filter((name) => !name.startsWith("_cf") && !name.startsWith("sqlite"));
      return tables
        .map((name) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray()))
        .join("\n");
    });
    expect(dump).toContain("Sealed");
    expect(dump).toContain("ADMIN_TOKEN");
    for (const value of Object.values(secrets)) expect(dump).not.toContain(value);
    expect(dump).not.toContain(secrets.REPLAY_SECRET.slice(6));
  });

  it("logs every change with the variable names it changed, never a secret value", async () => {
    const logged = vi.spyOn(console, "log");
    const registry = registryObject();
    const id = newId("logged");
    const host = newHost("logged");
    await registry.put(id, { hosts: [host], config: { SHOP_NAME: "One" }, secrets }, "platform:alice");
    await registry.put(
      id,
      {
        hosts: [host],
        config: { SHOP_NAME: "Two" },
        secrets: { ...secrets, ADMIN_TOKEN: "rotated-admin-token-0123456789" },
      },
      "platform:alice",
    );
    await registry.remove(id, "platform:bob");
    const lines = logged.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    const events = lines.filter((line) => line.shop === id);
    expect(events.map((line) => line.event)).toEqual(["shop_registered", "shop_replaced", "shop_deleted"]);
    expect(events[0]).toMatchObject({
      hosts: [host],
      actor: "platform:alice",
      changed: ["ADMIN_TOKEN", "REPLAY_SECRET", "SHOP_NAME"],
    });
    expect(events[1]).toMatchObject({ actor: "platform:alice", changed: ["ADMIN_TOKEN", "SHOP_NAME"] });
    expect(events[2]).toMatchObject({ actor: "platform:bob", hosts: [host] });
    const text = logged.mock.calls.join("\n");
    for (const value of [...Object.values(secrets), "rotated-admin-token-0123456789"])
      expect(text).not.toContain(value);
  });
});
