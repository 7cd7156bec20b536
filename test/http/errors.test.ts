import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

/** A KV namespace whose every call fails, as during a storage incident. */
const failingKv = new Proxy(
  {},
  {
    get: () => () => Promise.reject(new Error("KV is unavailable")),
  },
);

let origin: FakeOrigin;
let env: Env;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  await origin.setMode({ mode: "refuse" });
  env = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", SNAPSHOTS: failingKv });
});
afterEach(() => origin.stop());

describe("trouble at the edge itself (snapshot storage failing during an outage)", () => {
  it("gives a shopper's browser the branded 503 page, not a bare 500", async () => {
    const response = await dispatch("https://shop.test/p/storage-down", env, { headers: { accept: "text/html" } });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("<form");
  });

  it("answers programs and operators with a JSON 500 that says the trouble is at the edge", async () => {
    const api = await dispatch("https://shop.test/p/storage-down", env, { headers: { accept: "application/json" } });
    expect(api.status).toBe(500);
    expect(await api.json()).toMatchObject({ error: "internal_error" });
    expect(api.headers.get("x-stayopen-source")).toBe("edge");
  });
});
