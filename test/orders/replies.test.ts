import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { order, orderEnv, postOrder } from "./helpers";
import { parseConfig } from "../../src/config/schema";

const EVERSHOP = JSON.stringify({
  "POST /orders/*/checkout": {
    status: 200,
    body: { data: { uuid: "{reference}", statusUrl: "{statusUrl}", note: "Order {reference} is safe" }, ok: true },
  },
});

let origin: FakeOrigin;
let env: Env;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = orderEnv(origin, { ORDER_PATHS: "POST /orders/*/checkout,POST /orders/*", ORDER_REPLIES: EVERSHOP });
  await origin.setMode({ mode: "refuse" });
});
afterEach(() => origin.stop());

const cart = JSON.stringify({ email: "ada@example.com", items: [{ sku: "A", qty: 1 }] });

describe("ORDER_REPLIES: the reply a shop's own checkout expects for a queued order", () => {
  it("answers the route's template with the reference and status URL filled in, and stayopen's headers", async () => {
    const response = await postOrder(env, "/orders/cart-1/checkout", cart);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("x-stayopen-source")).toBe("queued");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const location = response.headers.get("location")!;
    const reference = /^\/__stayopen\/orders\/([0-9a-f]{34})$/.exec(location)?.[1];
    expect(reference).toBeDefined();
    expect(await response.json()).toEqual({
      data: { uuid: reference, statusUrl: location, note: `Order ${reference} is safe` },
      ok: true,
    });
    // The reply names a real, durably queued order.
    expect((await order(env, reference!)).state).toBe("queued");
  });

  it("gives a client repeating its Idempotency-Key the same reply and reference", async () => {
    const first = await postOrder(env, "/orders/cart-2/checkout", cart, { "idempotency-key": "replies-1" });
    const again = await postOrder(env, "/orders/cart-2/checkout", cart, { "idempotency-key": "replies-1" });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
  });

  it("leaves other order routes with the contract's 202", async () => {
    const response = await postOrder(env, "/orders/plain", cart);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { status: string; reference: string; statusUrl: string };
    expect(body.status).toBe("queued");
    expect(response.headers.get("location")).toBe(body.statusUrl);
  });

  it("keeps a value that looks like JSON inside its string: substitution never concatenates JSON", async () => {
    const tricky = orderEnv(origin, {
      ORDER_REPLIES: JSON.stringify({
        "POST /orders/*": { status: 201, body: ['"},{"x":"{reference}', 7, null, { nested: ["{statusUrl}"] }] },
      }),
    });
    const response = await postOrder(tricky, "/orders/tricky", cart);
    expect(response.status).toBe(201);
    const reference = response.headers.get("location")!.split("/").pop()!;
    expect(await response.json()).toEqual([
      `"},{"x":"${reference}`,
      7,
      null,
      { nested: [`/__stayopen/orders/${reference}`] },
    ]);
  });

  it("passes the origin's own answer through while it takes orders", async () => {
    await origin.setMode({ mode: "ok" });
    await origin.route("/orders/cart-3/checkout", {
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"data":{"uuid":"from-the-shop"}}',
    });
    const response = await postOrder(env, "/orders/cart-3/checkout", cart);
    expect(response.headers.get("x-stayopen-source")).toBe("origin");
    expect(await response.json()).toEqual({ data: { uuid: "from-the-shop" } });
  });
});

describe("ORDER_REPLIES validation", () => {
  const base = { ORIGIN_URL: "https://origin.example.com", ORDER_PATHS: "POST /api/carts/*/checkout" };

  /** The problem parseConfig reports for ORDER_REPLIES (it then takes the variable as unset). */
  function problem(value: string): string {
    const config = parseConfig({ ...base, ORDER_REPLIES: value });
    const found = config.problems.find((each) => each.variable === "ORDER_REPLIES");
    expect(found, "expected a configuration problem").toBeDefined();
    expect(config.orderReplies).toEqual([]);
    return found!.message;
  }

  it("reads a route's reply, with the route as ORDER_PATHS spells it", () => {
    const config = parseConfig({
      ...base,
      ORDER_REPLIES: '{"post /api/carts/*/checkout":{"status":200,"body":{"data":{"uuid":"{reference}"}}}}',
    });
    expect(config.orderReplies).toEqual([
      { method: "POST", pattern: "/api/carts/*/checkout", status: 200, body: { data: { uuid: "{reference}" } } },
    ]);
    expect(parseConfig(base).orderReplies).toEqual([]);
  });

  it("names the variable and the problem for every kind of mistake", () => {
    expect(problem("{not json")).toMatch(/^ORDER_REPLIES must be a JSON object like/);
    expect(problem('[{"status":200}]')).toContain("ORDER_REPLIES must be a JSON object of order routes");
    expect(problem('{"POST /api/orders":{"status":200,"body":{}}}')).toBe(
      'ORDER_REPLIES ["POST /api/orders"] is wrong: is not an order route: add "POST /api/orders" to ORDER_PATHS too',
    );
    expect(problem('{"/api/carts/*/checkout":{"status":200,"body":{}}}')).toContain(
      'must be an order route like "POST /api/orders", also listed in ORDER_PATHS',
    );
    expect(problem('{"POST /api/carts/*/checkout":{"status":302,"body":{}}}')).toBe(
      'ORDER_REPLIES ["POST /api/carts/*/checkout"].status is wrong: must be 200, 201, 202 or 203',
    );
    expect(problem('{"POST /api/carts/*/checkout":{"status":204,"body":{}}}')).toContain(
      "must be 200, 201, 202 or 203",
    );
    expect(problem('{"POST /api/carts/*/checkout":{"status":200}}')).toContain(
      'ORDER_REPLIES ["POST /api/carts/*/checkout"].body',
    );
    expect(problem('{"POST /api/carts/*/checkout":{"status":200,"body":{},"headers":{}}}')).toContain("ORDER_REPLIES");
    expect(problem('{"POST /api/carts/*/checkout":{"status":200,"body":{"data":{"id":"{ref}"}}}}')).toBe(
      'ORDER_REPLIES ["POST /api/carts/*/checkout"].body.data.id is wrong: has an unknown placeholder {ref} (only {reference} and {statusUrl})',
    );
    expect(problem('{"POST /api/carts/*/checkout":{"status":200,"body":{"{reference}":true}}}')).toContain(
      "placeholders go in string values only",
    );
  });
});
