import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forgetControls, shopControl } from "../../src/control/controls";
import type { Env } from "../../src/config/env";
import { count, flushIfDue, FLUSH_EVERY_MS } from "../../src/metrics/counters";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

const TOKEN = "test-admin-token-0123456789";
let origin: FakeOrigin;
const fresh = () => `/metrics/${crypto.randomUUID().slice(0, 8)}`;

beforeEach(async () => {
  origin = await FakeOrigin.start();
});
afterEach(() => origin.stop());

const isolate = () => shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", BREAKER_FAILURES: "1000" });

async function scrape(env: Env): Promise<string> {
  const response = await dispatch("https://shop.test/__stayopen/admin/metrics", env, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

function valueOf(text: string, series: string): number {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("metrics", () => {
  it("answers Prometheus text behind the admin token", async () => {
    const env = isolate();
    expect((await dispatch("https://shop.test/__stayopen/admin/metrics", env)).status).toBe(401);

    const response = await dispatch("https://shop.test/__stayopen/admin/metrics", env, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(text).toContain("# TYPE stayopen_requests_total counter");
    expect(text).toContain("# TYPE stayopen_snapshot_hits_total counter");
    expect(text).toMatch(/^stayopen_origin_state\{shop="default",state="up"\} 1$/m);
    expect(text).toMatch(/^stayopen_mode\{shop="default",mode="auto"\} 1$/m);
    expect(text).toMatch(/^stayopen_queue_depth\{shop="default",state="queued"\} \d+$/m);
  });

  it("sums the requests counted by two isolates", async () => {
    const series = 'stayopen_requests_total{shop="default",source="origin"}';
    const [a, b] = [isolate(), isolate()];
    const before = valueOf(await scrape(a), series);

    for (let i = 0; i < 3; i++) await (await dispatch(`https://shop.test${fresh()}`, a)).text();
    for (let i = 0; i < 2; i++) await (await dispatch(`https://shop.test${fresh()}`, b)).text();

    await scrape(b);
    expect(valueOf(await scrape(a), series)).toBe(before + 5);
  });

  it("counts snapshot stores, stale hits and misses", async () => {
    const env = isolate();
    const text = await scrape(env);
    const stored = valueOf(text, 'stayopen_snapshot_stores_total{shop="default",result="stored"}');
    const stale = valueOf(text, 'stayopen_snapshot_hits_total{shop="default",use="stale"}');
    const missing = valueOf(text, 'stayopen_snapshot_misses_total{shop="default",reason="missing"}');

    const path = fresh();
    await (await dispatch(`https://shop.test${path}`, env)).text();
    await origin.setMode({ mode: "refuse" });
    await (await dispatch(`https://shop.test${path}`, env)).text();
    await (await dispatch(`https://shop.test${fresh()}`, env)).text();

    const after = await scrape(env);
    expect(valueOf(after, 'stayopen_snapshot_stores_total{shop="default",result="stored"}')).toBe(stored + 1);
    expect(valueOf(after, 'stayopen_snapshot_hits_total{shop="default",use="stale"}')).toBe(stale + 1);
    expect(valueOf(after, 'stayopen_snapshot_misses_total{shop="default",reason="missing"}')).toBe(missing + 1);
  });

  it("counts the snapshots served, and the pages missing, while maintenance is forced", async () => {
    const env = isolate();
    const path = fresh();
    await (await dispatch(`https://shop.test${path}`, env)).text();
    const text = await scrape(env);
    const stale = valueOf(text, 'stayopen_snapshot_hits_total{shop="default",use="stale"}');
    const missing = valueOf(text, 'stayopen_snapshot_misses_total{shop="default",reason="missing"}');

    const control = shopControl(env, "default");
    await control.setMaintenance("default", { on: true, message: "Stocktake" });
    forgetControls();
    try {
      expect((await dispatch(`https://shop.test${path}`, env)).status).toBe(200);
      expect((await dispatch(`https://shop.test${fresh()}`, env)).status).toBe(503);
    } finally {
      await control.setMaintenance("default", { on: false });
      forgetControls();
    }
    const after = await scrape(env);
    expect(valueOf(after, 'stayopen_snapshot_hits_total{shop="default",use="stale"}')).toBe(stale + 1);
    expect(valueOf(after, 'stayopen_snapshot_misses_total{shop="default",reason="missing"}')).toBe(missing + 1);
  });

  it("sends a batch at most once per flush interval", () => {
    const env = isolate();
    count(env, "default", "requests", { source: "edge" });
    const now = Date.now();
    const first = flushIfDue(env, now);
    expect(first).not.toBeNull();
    count(env, "default", "requests", { source: "edge" });
    expect(flushIfDue(env, now + FLUSH_EVERY_MS - 1)).toBeNull();
    const later = flushIfDue(env, now + FLUSH_EVERY_MS);
    expect(later).not.toBeNull();
    return Promise.all([first, later]);
  });
});
