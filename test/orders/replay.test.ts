import { abortAllDurableObjects, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { backoffCeilingMs } from "../../src/http/backoff";
import { originPerTest, type FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { isDelivered, order, orderEnv, queueOrder, runAlarmsUntil, shardStub, shopOf } from "./helpers";
import { drainNow } from "../../src/orders/queue";
import { type OrderView } from "../../src/orders/types";

let origin: FakeOrigin;
let env: Env;
originPerTest((started) => {
  origin = started;
  env = orderEnv(started);
});

const body = JSON.stringify({ items: [{ sku: "A", qty: 1 }] });
const policy = { baseMs: 600_000, maxMs: 3_600_000 };

const delayOf = (view: OrderView) => Date.parse(view.nextAttemptAt!) - Date.parse(view.updatedAt);

const DELIVERED_SERIES = 'stayopen_replay_outcomes_total{shop="default",outcome="delivered"}';

async function deliveredCount(): Promise<number> {
  const response = await dispatch("https://shop.test/__stayopen/admin/metrics", env, {
    headers: { authorization: "Bearer test-admin-token-0123456789" },
  });
  const line = (await response.text()).split("\n").find((candidate) => candidate.startsWith(`${DELIVERED_SERIES} `));
  return line ? Number(line.slice(DELIVERED_SERIES.length + 1)) : 0;
}

describe("replay outcomes", () => {
  it("counts a delivery in the metrics when the alarm run that made it ends, not at a later run that may never come", async () => {
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(env, "/orders/counted", body);
    // A failed attempt first: its run counts (and flushes) a retry, so the next run is within the flush interval.
    await runDurableObjectAlarm(shardStub(env, reference));
    const before = await deliveredCount();
    await origin.setMode({ mode: "ok" });
    await drainNow(env, shopOf(env));
    await runAlarmsUntil(env, reference, isDelivered);
    expect(await deliveredCount()).toBe(before + 1);
  });

  it("dead-letters an order the origin refuses with a 4xx, and tries it only once", async () => {
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(env, "/orders/dead", body);
    await origin.setMode({ mode: "ok" });
    await origin.route("/orders/dead", {
      status: 400,
      headers: { "content-type": "application/json" },
      body: '{"error":"unknown_sku"}',
    });

    const dead = await runAlarmsUntil(env, reference, (view) => view.state === "dead");
    expect(dead).toMatchObject({ attempts: 1, lastError: "status_400", nextAttemptAt: null, deliveredAt: null });
    await runDurableObjectAlarm(shardStub(env, reference));
    expect(await origin.requests("/orders/dead")).toHaveLength(1);
  });

  it("counts a 409 from the origin as delivered: it already has the order", async () => {
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(env, "/orders/conflict", body);
    await origin.setMode({ mode: "ok" });
    await origin.route("/orders/conflict", { status: 409, body: "already have it" });
    expect(await runAlarmsUntil(env, reference, isDelivered)).toMatchObject({ attempts: 1 });
  });

  it("retries a 5xx with a backoff window that widens with every attempt, then delivers", async () => {
    await origin.setMode({ mode: "status", status: 500 });
    const { reference } = await queueOrder(env, "/orders/retry", body);

    for (let attempt = 1; attempt <= 3; attempt++) {
      // Time passes: an operator's "replay now" does what the alarm would do once the backoff is over.
      if (attempt > 1) await drainNow(env, shopOf(env));
      const failed = await runAlarmsUntil(
        env,
        reference,
        (view) => view.attempts === attempt && view.state === "queued",
      );
      expect(failed.lastError).toBe("status_500");
      expect(delayOf(failed)).toBeGreaterThanOrEqual(policy.baseMs);
      expect(delayOf(failed)).toBeLessThanOrEqual(backoffCeilingMs(attempt, policy));
    }
    expect(backoffCeilingMs(1, policy)).toBeLessThan(backoffCeilingMs(3, policy));

    await origin.setMode({ mode: "ok" });
    await drainNow(env, shopOf(env));
    expect(await runAlarmsUntil(env, reference, isDelivered)).toMatchObject({ attempts: 4 });
    const received = await origin.requests("/orders/retry");
    expect(received).toHaveLength(5);
    expect(new Set(received.map((request) => request.headers["idempotency-key"])).size).toBe(1);
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(env, "/orders/slow-down", body);
    await origin.setMode({ mode: "ok" });
    await origin.route("/orders/slow-down", { status: 429, headers: { "retry-after": "3000" }, body: "" });
    const waiting = await runAlarmsUntil(env, reference, (view) => view.attempts === 1 && view.state === "queued");
    expect(waiting.lastError).toBe("status_429");
    expect(delayOf(waiting)).toBeGreaterThanOrEqual(3_000_000);
  });
});

describe("crash safety", () => {
  it("sends an order again, with the same key, when the shard died after the origin took it", async () => {
    const crashEnv = orderEnv(origin, { ORIGIN_TIMEOUT_MS: "1000" });
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(crashEnv, "/orders/crash", body);

    // The origin takes the order but answers late; the shard dies before it hears back.
    await origin.setMode({ mode: "slow", delayMs: 5000 });
    const interrupted = runDurableObjectAlarm(shardStub(crashEnv, reference)).catch(() => "aborted");
    for (let poll = 0; poll < 100 && (await origin.requests("/orders/crash")).length === 0; poll++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await origin.requests("/orders/crash")).toHaveLength(1);
    await abortAllDurableObjects();
    await interrupted;
    await origin.setMode({ mode: "ok" });
    expect(await order(crashEnv, reference)).toMatchObject({ state: "delivering", attempts: 1 });

    // Once the delivery's lease runs out the shard sends it again by itself.
    const delivered = await runAlarmsUntil(crashEnv, reference, isDelivered);
    expect(delivered.attempts).toBe(2);
    const [first, second] = await origin.requests("/orders/crash");
    expect(second!.headers["idempotency-key"]).toBe(first!.headers["idempotency-key"]);
    expect(second!.headers["webhook-id"]).toBe(reference);
    expect(second!.body).toBe(body);
  });

  it("keeps queued orders and delivers them after the shard restarts", async () => {
    await origin.setMode({ mode: "refuse" });
    const { reference } = await queueOrder(env, "/orders/restart", body);
    await abortAllDurableObjects();
    await origin.setMode({ mode: "ok" });
    expect(await order(env, reference)).toMatchObject({ state: "queued" });
    await runAlarmsUntil(env, reference, isDelivered);
    expect(await origin.requests("/orders/restart")).toHaveLength(1);
  });
});
