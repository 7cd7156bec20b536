/** Shared steps of the order-queue tests: a shop env around a fake origin, posting orders, driving a shard's alarm. */
import { runDurableObjectAlarm } from "cloudflare:test";
import type { Env } from "../../src/config/env";
import { shardName, shardOfReference } from "../../src/orders/reference";
import { afterEach, beforeEach } from "vitest";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";
import { getOrder, queueDepth } from "../../src/orders/queue";
import { type OrderView } from "../../src/orders/types";

/**
 * Orders on /orders/* (each test uses its own path). The retry base is ten
 * minutes, so no alarm fires by itself during a test: tests run alarms with
 * runDurableObjectAlarm, which is what the scheduler would do later.
 */
export function orderEnv(origin: FakeOrigin, overrides: Record<string, string> = {}): Env {
  return shopEnv({
    ORIGIN_URL: origin.url,
    ORIGIN_TIMEOUT_MS: "300",
    BREAKER_FAILURES: "1000",
    ORDER_PATHS: "POST /orders/*,PUT /orders/*",
    ORDER_RETRY_BASE_MS: "600000",
    ORDER_RETRY_MAX_MS: "3600000",
    RATE_LIMIT_ORDERS_PER_MIN: "100000",
    ...overrides,
  });
}

export const shopOf = (env: Env) => varsShop(env);

export function postOrder(
  env: Env,
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<Response> {
  return dispatch(`https://shop.test${path}`, env, {
    method,
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

export type Accepted = { status: string; reference: string; statusUrl: string };

/** Posts an order that must be queued; returns the 202 body. */
export async function queueOrder(
  env: Env,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Accepted> {
  const response = await postOrder(env, path, body, headers);
  if (response.status !== 202) throw new Error(`expected 202, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as Accepted;
}

export function shardStub(env: Env, reference: string) {
  const shard = shardOfReference(reference, shopOf(env).config.orderQueue.shards);
  if (shard === null) throw new Error(`not a reference: ${reference}`);
  return env.ORDER_QUEUE.getByName(shardName("default", shard));
}

export async function order(env: Env, reference: string): Promise<OrderView> {
  const view = await getOrder(env, shopOf(env), reference);
  if (!view) throw new Error(`no order ${reference}`);
  return view;
}

export const depth = (env: Env) => queueDepth(env, shopOf(env));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the shard's alarm (or waits for the one the scheduler already started)
 * until the order satisfies `done`; bounded, so a broken queue fails the test.
 */
export async function runAlarmsUntil(
  env: Env,
  reference: string,
  done: (order: OrderView) => boolean,
): Promise<OrderView> {
  for (let round = 0; round < 60; round++) {
    const current = await order(env, reference);
    if (done(current)) return current;
    await runDurableObjectAlarm(shardStub(env, reference));
    await pause(50);
  }
  throw new Error(
    `order ${reference} never reached the expected state: ${JSON.stringify(await order(env, reference))}`,
  );
}

export const isDelivered = (view: OrderView) => view.state === "delivered";

/** A fresh fake origin and an order env around it for every test of the calling file. */
export function orderOriginPerTest(overrides: Record<string, string> = {}): {
  origin: () => FakeOrigin;
  env: () => Env;
} {
  let origin: FakeOrigin;
  let env: Env;
  beforeEach(async () => {
    origin = await FakeOrigin.start();
    env = orderEnv(origin, overrides);
  });
  afterEach(() => origin.stop());
  return { origin: () => origin, env: () => env };
}
