/** GET /__stayopen/admin/status counts the shop's page snapshots. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countSnapshots } from "../../src/catalog/count";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

const TOKEN = "test-admin-token-0123456789";

let origin: FakeOrigin;
let env: Env;
let page = 0;
/** A path no other test has used, since snapshots are shared within a test file. */
const fresh = () => `/p/${++page}-${crypto.randomUUID().slice(0, 8)}`;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", BREAKER_FAILURES: "1000" });
});
afterEach(() => origin.stop());

async function snapshotCount(): Promise<number> {
  const response = await dispatch("https://shop.test/__stayopen/admin/status", env, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { snapshots: number }).snapshots;
}

/** Serves a page through the worker while the origin is up, which snapshots it. */
async function visit(path: string): Promise<void> {
  await origin.route(path.split("?")[0]!, { headers: { "content-type": "text/html" }, body: `<h1>${path}</h1>` });
  const response = await dispatch(`https://shop.test${path}`, env);
  expect(response.headers.get("x-stayopen-source")).toBe("origin");
  await response.body?.cancel();
}

describe("snapshot count in the admin status", () => {
  // Storage is per test file, so this shop starts with no snapshots.
  it("is 0 for a shop with no snapshots", async () => {
    expect(await snapshotCount()).toBe(0);
  });

  it("counts each snapshotted page once", async () => {
    const before = await snapshotCount();
    const [first, second, third] = [fresh(), fresh(), fresh()];
    for (const path of [first!, second!, third!, `${first}?utm_source=mail`]) await visit(path);
    expect(await snapshotCount()).toBe(before + 3);
  });

  it("counts past one KV list page and only this shop's keys", async () => {
    const before = await snapshotCount();
    const keys = Array.from({ length: 1001 }, () => `snap:default:shop.test${fresh()}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((key) => env.SNAPSHOTS.put(key, "x")));
    }
    await env.SNAPSHOTS.put(`snap:other:shop.test${fresh()}`, "x");
    expect(await snapshotCount()).toBe(before + 1001);
    expect(await countSnapshots(env, "other")).toBe(1);
    expect(await countSnapshots(env, "unknown")).toBe(0);
  });
});
