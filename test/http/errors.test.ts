import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { ERRORS, errorBody, isStayopenError, problem } from "../../src/http/errors";
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

describe("the error catalogue", () => {
  it("gives every code an error status and a message", () => {
    for (const [code, { status, message }] of Object.entries(ERRORS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(message.trim(), code).not.toBe("");
      expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
    }
  });

  it("takes the status from the catalogue and the message from the caller when given", () => {
    const error = problem("payload_too_large", "Orders are limited to 10 bytes.", { "retry-after": "1" });
    expect(isStayopenError(error)).toBe(true);
    expect([error.status, error.code, error.message, error.headers]).toEqual([
      413,
      "payload_too_large",
      "Orders are limited to 10 bytes.",
      { "retry-after": "1" },
    ]);
    expect(problem("not_found").message).toBe(ERRORS.not_found.message);
  });

  it("presents error, message, then the extra fields", () => {
    const body = errorBody(problem("rate_limited", "Wait.", {}, { retryAfter: 3 }));
    expect(JSON.stringify(body)).toBe('{"error":"rate_limited","message":"Wait.","retryAfter":3}');
  });

  it("keeps the contract's origin_unavailable shape: no message", () => {
    const body = errorBody(problem("origin_unavailable", null, {}, { retryAfter: 30 }));
    expect(JSON.stringify(body)).toBe('{"error":"origin_unavailable","retryAfter":30}');
  });
});
