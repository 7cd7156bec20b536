import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { readSnapshot, writeSnapshot } from "../../src/catalog/store";

const page = () =>
  new Response("<html><head><title>Tea</title></head><body>tea</body></html>", {
    headers: { "content-type": "text/html" },
  });
const noWait = () => undefined;

describe("snapshot storage", () => {
  it("keeps where a copy came from, so a backup's copy is known as one when read", async () => {
    const key = `shop.test/store-${crypto.randomUUID()}`;
    expect(await writeSnapshot(env as Env, "s", "shop.test", key, page(), { maxBytes: 4096, fromBackup: true })).toBe(
      "stored",
    );
    // Another host has no hot copy here: this reads the cross-colo copy and its metadata.
    const snapshot = await readSnapshot(env as Env, "s", "other.test", key, noWait);
    expect(snapshot).toMatchObject({ title: "Tea", fromBackup: true });
  });

  it("says failed when the copy every colo reads could not be written", async () => {
    const failing = { put: () => Promise.reject(new Error("KV is unavailable")) };
    const key = `shop.test/store-${crypto.randomUUID()}`;
    const result = await writeSnapshot(
      { ...env, SNAPSHOTS: failing } as unknown as Env,
      "s",
      "shop.test",
      key,
      page(),
      {
        maxBytes: 4096,
        fromBackup: false,
      },
    );
    expect(result).toBe("failed");
  });

  it("keeps the page's security policy with it, and keeps no copy that cannot", async () => {
    const secured = (csp: string) =>
      new Response("<html><body>tea</body></html>", {
        headers: { "content-type": "text/html", "content-security-policy": csp, "x-frame-options": "DENY" },
      });
    const key = `shop.test/store-${crypto.randomUUID()}`;
    const options = { maxBytes: 4096, fromBackup: false };
    expect(await writeSnapshot(env as Env, "s", "shop.test", key, secured("default-src 'self'"), options)).toBe(
      "stored",
    );
    const snapshot = await readSnapshot(env as Env, "s", "other.test", key, noWait);
    expect(snapshot!.headers).toContainEqual(["content-security-policy", "default-src 'self'"]);
    expect(snapshot!.headers).toContainEqual(["x-frame-options", "DENY"]);

    const huge = `default-src 'self' ${"https://cdn.example ".repeat(60)}`;
    const other = `shop.test/store-${crypto.randomUUID()}`;
    expect(await writeSnapshot(env as Env, "s", "shop.test", other, secured(huge), options)).toBe("too_large");
  });
});
