import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/config/env";
import { discardOrder, listOrders } from "../../src/orders/queue";
import { originMonitor } from "../../src/origin/monitor";
import { FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { isDelivered, order, orderEnv, queueOrder, runAlarmsUntil, shopOf } from "./helpers";
import { drainNow } from "../../src/orders/queue";

// Its own file: one shard holds every order, so a poison order and the good ones behind it meet.
// The shard outlives a test; each test leaves nothing waiting in it (see afterEach).
let origin: FakeOrigin;
let env: Env;

const POISON = "POISON-SKU";
const PATH = "/orders/poison";

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = orderEnv(origin, { ORDER_SHARDS: "1", ORDER_REPLAY_CONCURRENCY: "1", ORDER_MAX_ATTEMPTS: "3" });
});
afterEach(async () => {
  for (const state of ["queued", "needs_attention", "dead"] as const)
    for (const left of (await listOrders(env, shopOf(env), state, 500)).map((view) => view.reference))
      await discardOrder(env, shopOf(env), left);
  await origin.stop();
});

const admin = (path: string) =>
  dispatch(`https://shop.test/__stayopen/admin${path}`, env, {
    method: "POST",
    headers: { authorization: "Bearer test-admin-token-0123456789" },
  });

/** The shop's backend answers this one order with a 500 every time (EverShop's way with a validation error). */
async function refusePoisonAlways(): Promise<void> {
  await origin.route(PATH, {
    status: 500,
    headers: { "content-type": "application/json" },
    body: `{"error":"Validation failed: product ${POISON} has no price"}`,
    bodyIncludes: POISON,
  });
}

/**
 * Queues the poison order first, then `goods` good ones behind it, all while the order path fails (503) and
 * the rest of the shop answers: the monitor's health probe finds the shop up, so its breaker stays closed, as it
 * is when a poison order meets a healthy shop. (With the whole origin down the probe fails too and opens the
 * breaker, and orders are not blamed until it has closed again.)
 */
async function poisonAhead(goods: number): Promise<{ poison: string; good: string[] }> {
  await origin.route(PATH, { status: 503, body: "busy" });
  const poison = (await queueOrder(env, PATH, JSON.stringify({ sku: POISON }))).reference;
  const good: string[] = [];
  for (let n = 0; n < goods; n++)
    good.push((await queueOrder(env, PATH, JSON.stringify({ sku: `GOOD-${n}` }))).reference);
  await refusePoisonAlways();
  const shop = shopOf(env);
  const monitor = originMonitor(env, shop.id, shop.config.originUrl);
  // The health probe that the first failure sent found the shop up: the 503s were that path's own.
  expect(await monitor.describe()).toMatchObject({ breaker: { state: "closed" }, probes: { last: { ok: true } } });
  return { poison, good };
}

/** What the queue sent to PATH (its replays carry the order's reference), not the shoppers' live attempts. */
async function replays(): Promise<{ body: string }[]> {
  return (await origin.requests(PATH)).filter((request) => request.headers["x-stayopen-reference"]);
}

/**
 * The origin is back (or the order's backoff is over): a drain makes every waiting order due, and the
 * shard's alarm runs until this order has had one more attempt.
 */
async function tryAgain(reference: string): Promise<void> {
  const before = (await order(env, reference)).attempts;
  await drainNow(env, shopOf(env));
  await runAlarmsUntil(env, reference, (view) => view.attempts > before && view.state !== "delivering");
}

describe("one bad order holds back no other", () => {
  it("delivers the good orders behind an order the origin always answers 500, within seconds", async () => {
    const { poison, good } = await poisonAhead(4);
    const started = Date.now();
    // The backoff base is ten minutes: anything that waits on the poison order's failure never gets there.
    await drainNow(env, shopOf(env));
    await runAlarmsUntil(env, good.at(-1)!, isDelivered);
    for (const reference of good) expect(await order(env, reference)).toMatchObject({ state: "delivered" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await order(env, poison)).toMatchObject({ state: "queued", attempts: 1, lastError: "status_500" });
    const sent = (await replays()).map((request) => JSON.parse(request.body).sku);
    expect(sent).toEqual([POISON, "GOOD-0", "GOOD-1", "GOOD-2", "GOOD-3"]);
  });

  it("keeps delivering orders queued after the poison failed, without waiting out its backoff", async () => {
    const { poison } = await poisonAhead(0);
    await tryAgain(poison);
    expect(await order(env, poison)).toMatchObject({ state: "queued", attempts: 1 });
    // A live 500 queues a new order while the poison one waits out its own backoff.
    await origin.route("/orders/later", { status: 500, body: "busy", bodyIncludes: "first-try" });
    const later = await queueOrder(env, "/orders/later", JSON.stringify({ sku: "first-try" }));
    await origin.route("/orders/later", { status: 201, body: "ok" });
    await drainNow(env, shopOf(env));
    await runAlarmsUntil(env, later.reference, isDelivered);
  });

  it("sets the poison order aside as needs_attention after ORDER_MAX_ATTEMPTS, with the origin's last answer", async () => {
    const { poison, good } = await poisonAhead(1);
    const logged = vi.spyOn(console, "warn");
    await tryAgain(poison);
    await tryAgain(poison);
    expect(await order(env, poison)).toMatchObject({ state: "queued", attempts: 2 });
    await tryAgain(poison);
    const lines = logged.mock.calls.map(([line]) => String(line));
    logged.mockRestore();

    const stopped = await order(env, poison);
    expect(stopped).toMatchObject({
      state: "needs_attention",
      attempts: 3,
      lastError: "status_500",
      nextAttemptAt: null,
      lastAnswer: { status: 500, excerpt: `{"error":"Validation failed: product ${POISON} has no price"}` },
    });
    expect(lines.some((line) => line.includes('"event":"order_needs_attention"') && line.includes(poison))).toBe(true);
    expect(await order(env, good[0]!)).toMatchObject({ state: "delivered" });

    // Not sent again by itself, even when everything waiting is sent now.
    await drainNow(env, shopOf(env));
    await runAlarmsUntil(env, poison, () => true);
    const poisonSent = (await replays()).filter((request) => request.body.includes(POISON));
    expect(poisonSent).toHaveLength(3);

    // Listed for the operator with its body; the shopper is told plainly that it is not confirmed.
    const listed = await dispatch("https://shop.test/__stayopen/admin/orders?state=needs_attention", env, {
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    });
    const { orders } = (await listed.json()) as { orders: { reference: string; body?: string }[] };
    expect(orders.find((listedOrder) => listedOrder.reference === poison)?.body).toContain(POISON);
    const json = await dispatch(`https://shop.test/__stayopen/orders/${poison}`, env, {
      headers: { accept: "application/json" },
    });
    expect(await json.json()).toMatchObject({
      status: "needs_attention",
      message: expect.stringMatching(/not confirmed/),
    });
    const page = await (await dispatch(`https://shop.test/__stayopen/orders/${poison}`, env)).text();
    expect(page).toMatch(/data-status="needs_attention"/);
    expect(page).toMatch(/will contact you/);
    expect(page).not.toMatch(/don't order again/);
  });

  it("does not use up the orders' attempts while the origin itself is down", async () => {
    await origin.setMode({ mode: "refuse" });
    const references: string[] = [];
    for (let n = 0; n < 3; n++) references.push((await queueOrder(env, PATH, JSON.stringify({ n }))).reference);
    for (let round = 0; round < 6; round++) await tryAgain(references[0]!);
    for (const reference of references) expect((await order(env, reference)).state).toBe("queued");
    await origin.setMode({ mode: "ok" });
    await drainNow(env, shopOf(env));
    for (const reference of references) await runAlarmsUntil(env, reference, isDelivered);
  });

  it("lets the operator retry a poison order once the shop fixed it, and discard one still retrying", async () => {
    const { poison } = await poisonAhead(0);
    for (let attempt = 0; attempt < 3; attempt++) await tryAgain(poison);
    expect(await order(env, poison)).toMatchObject({ state: "needs_attention" });
    await origin.route(PATH, { status: 201, body: "ok" });
    const retried = await admin(`/orders/${poison}/retry`);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ reference: poison, state: "queued" });
    expect(await runAlarmsUntil(env, poison, isDelivered)).toMatchObject({ attempts: 1, lastError: null });

    // An order still retrying (not dead) can be discarded too; a delivered one cannot.
    const second = await poisonAhead(0);
    await tryAgain(second.poison);
    expect(await order(env, second.poison)).toMatchObject({ state: "queued", attempts: 1 });
    const discarded = await admin(`/orders/${second.poison}/discard`);
    expect(discarded.status).toBe(200);
    expect(await order(env, second.poison)).toMatchObject({ state: "discarded" });
    await drainNow(env, shopOf(env));
    expect((await replays()).filter((request) => request.body.includes(POISON))).toHaveLength(5);
    const late = await admin(`/orders/${poison}/discard`);
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: "not_pending", state: "delivered" });
  });
});
