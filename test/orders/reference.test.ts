import { describe, expect, it } from "vitest";
import {
  derivedIdempotencyKey,
  DOUBLE_SUBMIT_WINDOW_MS,
  isValidIdempotencyKey,
  requestFingerprint,
  submissionHash,
} from "../../src/orders/keys";
import { newReference, shardFor, shardName, shardOfReference, statusUrl } from "../../src/orders/reference";

describe("order references", () => {
  it("name the shard in two hex digits followed by 128 random bits", () => {
    const reference = newReference(10);
    expect(reference).toMatch(/^0a[0-9a-f]{32}$/);
    expect(shardOfReference(reference, 16)).toBe(10);
    expect(statusUrl(reference)).toBe(`/__stayopen/orders/${reference}`);
  });

  it("never repeat", () => {
    const references = new Set(Array.from({ length: 1000 }, () => newReference(0)));
    expect(references.size).toBe(1000);
  });

  it("are refused when malformed or naming a shard the deployment does not have", () => {
    expect(shardOfReference("0a" + "0".repeat(31), 16)).toBeNull();
    expect(shardOfReference("0A" + "0".repeat(32), 16)).toBeNull();
    expect(shardOfReference("../" + "0".repeat(31), 16)).toBeNull();
    expect(shardOfReference("10" + "0".repeat(32), 16)).toBeNull();
    expect(shardOfReference("0f" + "0".repeat(32), 16)).toBe(15);
  });
});

describe("shard choice", () => {
  it("is stable for a key and spreads keys over every shard", async () => {
    expect(await shardFor("key:abc", 16)).toBe(await shardFor("key:abc", 16));
    const used = new Set(await Promise.all(Array.from({ length: 400 }, (_, i) => shardFor(`key:${i}`, 16))));
    expect(used.size).toBe(16);
    expect(await shardFor("key:abc", 1)).toBe(0);
  });

  it("names one Durable Object per shop and shard", () => {
    expect(shardName("default", 3)).toBe("default:orders:3");
  });
});

describe("idempotency keys", () => {
  const order = { method: "POST", path: "/api/orders", contentType: "application/json", body: '{"sku":"A"}' };

  it("accept 1–255 visible ASCII characters", () => {
    expect(isValidIdempotencyKey("b3c1f1a0-8a4e-4c2e-9d55-1f0b4c1e2a77")).toBe(true);
    expect(isValidIdempotencyKey("")).toBe(false);
    expect(isValidIdempotencyKey("has space")).toBe(false);
    expect(isValidIdempotencyKey("x".repeat(256))).toBe(false);
  });

  it("fingerprint method, path and body", async () => {
    const base = await requestFingerprint(order);
    expect(await requestFingerprint({ ...order })).toBe(base);
    expect(await requestFingerprint({ ...order, body: '{"sku":"B"}' })).not.toBe(base);
    expect(await requestFingerprint({ ...order, path: "/api/orders?x=1" })).not.toBe(base);
  });

  it("tell submitters apart and derive one key per submission and minute", async () => {
    const ada = await submissionHash(order, "session=ada");
    expect(await submissionHash(order, "session=bob")).not.toBe(ada);
    const minute = Math.floor(Date.now() / DOUBLE_SUBMIT_WINDOW_MS) * DOUBLE_SUBMIT_WINDOW_MS;
    const key = await derivedIdempotencyKey(ada, minute + 1000);
    expect(key).toMatch(/^stayopen-[0-9a-f]{32}$/);
    expect(await derivedIdempotencyKey(ada, minute + 59_000)).toBe(key);
    expect(await derivedIdempotencyKey(ada, minute + 61_000)).not.toBe(key);
  });
});
