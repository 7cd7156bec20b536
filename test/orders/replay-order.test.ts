import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeOrigin } from "../support/origin";
import { isDelivered, orderEnv, queueOrder, runAlarmsUntil } from "./helpers";

// Its own file: one shard for everything, with no other test's orders in it.
let origin: FakeOrigin;

beforeEach(async () => {
  origin = await FakeOrigin.start();
});
afterEach(() => origin.stop());

describe("replay order and pace", () => {
  it("delivers the orders of a shard in the order they were accepted", async () => {
    const env = orderEnv(origin, { ORDER_SHARDS: "1", ORDER_REPLAY_CONCURRENCY: "1" });
    await origin.setMode({ mode: "refuse" });
    const references: string[] = [];
    for (let n = 0; n < 6; n++)
      references.push(
        (await queueOrder(env, "/orders/fifo", JSON.stringify({ n }), { "idempotency-key": `fifo-${n}` })).reference,
      );
    await origin.setMode({ mode: "ok" });
    await runAlarmsUntil(env, references.at(-1)!, isDelivered);
    const received = await origin.requests("/orders/fifo");
    expect(received.map((request) => JSON.parse(request.body).n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(received.map((request) => request.headers["x-stayopen-reference"])).toEqual(references);
  });

  it("ramps up: one replay in flight, then two, then four", async () => {
    const env = orderEnv(origin, { ORDER_SHARDS: "1", ORDER_REPLAY_CONCURRENCY: "8", ORIGIN_TIMEOUT_MS: "3000" });
    await origin.setMode({ mode: "refuse" });
    const references: string[] = [];
    for (let n = 0; n < 7; n++)
      references.push(
        (await queueOrder(env, "/orders/ramp", JSON.stringify({ n }), { "idempotency-key": `ramp-${n}` })).reference,
      );
    await origin.setMode({ mode: "slow", delayMs: 300 });
    await runAlarmsUntil(env, references.at(-1)!, isDelivered);

    const arrivals = (await origin.requests("/orders/ramp")).map((request) => request.at).sort((a, b) => a - b);
    const waves: number[] = [1];
    for (let i = 1; i < arrivals.length; i++) {
      if (arrivals[i]! - arrivals[i - 1]! > 150) waves.push(1);
      else waves[waves.length - 1]! += 1;
    }
    expect(waves).toEqual([1, 2, 4]);
  });
});
