import { env as testEnv } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/config/env";
import { originPerTest, type FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { depth, isDelivered, order, orderEnv, queueOrder, runAlarmsUntil } from "../orders/helpers";

let origin: FakeOrigin;
let env: Env;
originPerTest((started) => {
  origin = started;
  env = orderEnv(started);
});

const admin = (path: string, init: RequestInit = {}, token = testEnv.ADMIN_TOKEN!, target = env) =>
  dispatch(`https://shop.test/__stayopen/admin${path}`, target, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });

/** A dead letter on `path`: queued while the origin refused, then refused with 400 on replay. */
async function deadLetter(path: string, n = 1): Promise<string> {
  await origin.setMode({ mode: "refuse" });
  const { reference } = await queueOrder(env, path, JSON.stringify({ n }));
  await origin.setMode({ mode: "ok" });
  await origin.route(path, { status: 400, body: "bad order" });
  await runAlarmsUntil(env, reference, (view) => view.state === "dead");
  return reference;
}

describe("admin access to the queue", () => {
  it("does not exist without ADMIN_TOKEN", async () => {
    const noAdmin = orderEnv(origin, { ADMIN_TOKEN: "" });
    for (const [path, method] of [
      ["/orders", "GET"],
      ["/replay", "POST"],
      ["/status", "GET"],
    ] as const) {
      const response = await admin(path, { method }, "test-admin-token-0123456789", noAdmin);
      expect(response.status).toBe(404);
    }
  });

  it("refuses a wrong or missing token and changes nothing", async () => {
    const reference = await deadLetter("/orders/admin-auth");
    const wrong = await admin(`/orders/${reference}/retry`, { method: "POST" }, "not-the-token-at-all");
    expect(wrong.status).toBe(401);
    const missing = await dispatch(`https://shop.test/__stayopen/admin/orders/${reference}/discard`, env, {
      method: "POST",
    });
    expect(missing.status).toBe(401);
    expect((await admin("/orders", {}, "")).status).toBe(401);
    expect(await order(env, reference)).toMatchObject({ state: "dead", attempts: 1 });
  });
});

describe("admin order routes", () => {
  it("reports queue depth per state in /status", async () => {
    const response = await admin("/status");
    expect(response.status).toBe(200);
    const status = (await response.json()) as { queue: Record<string, number> };
    expect(status.queue).toEqual(await depth(env));
    expect(Object.keys(status.queue).sort()).toEqual([
      "dead",
      "delivered",
      "delivering",
      "discarded",
      "needs_attention",
      "queued",
    ]);
  });

  it("lists dead letters newest first, with the body to act on", async () => {
    const older = await deadLetter("/orders/admin-list", 1);
    const newer = await deadLetter("/orders/admin-list", 2);
    const response = await admin("/orders?state=dead&limit=500");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { state, orders } = (await response.json()) as { state: string; orders: Record<string, unknown>[] };
    expect(state).toBe("dead");
    const mine = orders.filter((listed) => listed.path === "/orders/admin-list");
    expect(mine.map((listed) => listed.reference)).toEqual([newer, older]);
    expect(mine[0]).toMatchObject({
      state: "dead",
      method: "POST",
      attempts: 1,
      lastError: "status_400",
      body: '{"n":2}',
      contentType: "application/json",
    });

    const delivered = (await (await admin("/orders?state=delivered")).json()) as { orders: Record<string, unknown>[] };
    for (const listed of delivered.orders) expect(listed).not.toHaveProperty("body");

    // A page smaller than the list says so.
    const page = (await (await admin("/orders?state=dead&limit=1")).json()) as {
      total: number;
      truncated: boolean;
      orders: unknown[];
    };
    expect(page.orders).toHaveLength(1);
    expect(page.total).toBe((await depth(env)).dead);
    expect(page.truncated).toBe(true);
  });

  it("refuses an unknown state or a bad limit", async () => {
    expect((await admin("/orders?state=lost")).status).toBe(400);
    expect((await admin("/orders?limit=0")).status).toBe(400);
    expect((await admin("/orders?limit=ten")).status).toBe(400);
  });

  it("retries a dead letter: back in the queue with a fresh count, delivered once the origin takes it", async () => {
    const reference = await deadLetter("/orders/admin-retry");
    await origin.route("/orders/admin-retry", { status: 201, body: "ok" });
    const response = await admin(`/orders/${reference}/retry`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ reference, state: "queued" });
    // Sent again right away, counting attempts from zero.
    expect(await runAlarmsUntil(env, reference, isDelivered)).toMatchObject({ attempts: 1, lastError: null });
    const received = await origin.requests("/orders/admin-retry");
    expect(received).toHaveLength(2);
    expect(received[1]!.headers["idempotency-key"]).toBe(received[0]!.headers["idempotency-key"]);

    const again = await admin(`/orders/${reference}/retry`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "not_pending", state: "delivered" });
  });

  it("discards a dead letter for good", async () => {
    const reference = await deadLetter("/orders/admin-discard");
    const response = await admin(`/orders/${reference}/discard`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ reference, state: "discarded" });
    expect(await order(env, reference)).toMatchObject({ state: "discarded" });
    const shopper = await dispatch(`https://shop.test/__stayopen/orders/${reference}`, env, {
      headers: { accept: "application/json" },
    });
    expect(await shopper.json()).toMatchObject({ status: "needs_attention" });
    expect((await admin(`/orders/${reference}/discard`, { method: "POST" })).status).toBe(409);
    expect((await admin(`/orders/${reference}/retry`, { method: "POST" })).status).toBe(409);
  });

  it("answers 404 for a reference it does not know", async () => {
    const unknown = `00${"a".repeat(32)}`;
    expect((await admin(`/orders/${unknown}/retry`, { method: "POST" })).status).toBe(404);
    expect((await admin("/orders/not-a-reference/discard", { method: "POST" })).status).toBe(404);
  });

  it("replays everything now on request, without waiting out the backoff", async () => {
    await origin.setMode({ mode: "status", status: 503 });
    const { reference } = await queueOrder(env, "/orders/admin-replay", "{}");
    await runAlarmsUntil(env, reference, (view) => view.attempts === 1 && view.state === "queued");
    expect(Date.parse((await order(env, reference)).nextAttemptAt!)).toBeGreaterThan(Date.now() + 60_000);

    await origin.setMode({ mode: "ok" });
    const logged = vi.spyOn(console, "log");
    const response = await admin("/replay", { method: "POST" });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: "draining" });
    // An operator's drain is a state change like any other: it is logged.
    const lines = logged.mock.calls.map(([line]) => String(line));
    logged.mockRestore();
    expect(
      lines.some((line) => line.includes('"event":"order_drain_started"') && line.includes('"cause":"operator"')),
    ).toBe(true);
    await runAlarmsUntil(env, reference, isDelivered);
    expect(await origin.requests("/orders/admin-replay")).toHaveLength(3);
  });
});
