import { env as testEnv, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { order, orderEnv, queueOrder, runAlarmsUntil, isDelivered, shardStub } from "./helpers";

let origin: FakeOrigin;
let env: Env;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = orderEnv(origin);
});
afterEach(async () => {
  await switchMaintenance({ on: false });
  await origin.stop();
});

function switchMaintenance(body: Record<string, unknown>): Promise<Response> {
  return dispatch("https://shop.test/__stayopen/admin/maintenance", env, {
    method: "POST",
    headers: { authorization: `Bearer ${testEnv.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("orders during forced maintenance", () => {
  it("holds orders at the edge while the shop is closed on purpose, and delivers them once it reopens", async () => {
    expect((await switchMaintenance({ on: true, message: "Stocktaking until 6pm" })).status).toBe(200);

    const queued = await queueOrder(env, "/orders/closed", JSON.stringify({ items: [{ sku: "M1", qty: 1 }] }));
    expect(await origin.requests("/orders/closed")).toHaveLength(0);

    await runDurableObjectAlarm(shardStub(env, queued.reference));
    expect((await order(env, queued.reference)).state).toBe("queued");
    expect(await origin.requests("/orders/closed")).toHaveLength(0);

    expect((await switchMaintenance({ on: false })).status).toBe(200);
    await runAlarmsUntil(env, queued.reference, isDelivered);
    const delivered = await origin.requests("/orders/closed");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.headers["x-stayopen-reference"]).toBe(queued.reference);
  });
});
