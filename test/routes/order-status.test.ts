import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { discardOrder } from "../../src/orders/queue";
import { isDelivered, orderEnv, queueOrder, runAlarmsUntil, shopOf } from "../orders/helpers";

let origin: FakeOrigin;
let env: Env;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = orderEnv(origin);
  await origin.setMode({ mode: "refuse" });
});
afterEach(() => origin.stop());

const body = JSON.stringify({ items: [{ sku: "A", qty: 1 }] });
const asJson = { headers: { accept: "application/json" } };
const asBrowser = { headers: { accept: "text/html" } };

function expectEdgeHeaders(response: Response) {
  expect(response.headers.get("x-stayopen-source")).toBe("edge");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
}

describe("order status for shoppers", () => {
  it("shows a queued order as queued, in JSON and as a page", async () => {
    const { reference, statusUrl } = await queueOrder(env, "/orders/status-queued", body);

    const json = await dispatch(`https://shop.test${statusUrl}`, env, asJson);
    expect(json.status).toBe(200);
    expectEdgeHeaders(json);
    const view = (await json.json()) as Record<string, unknown>;
    expect(view).toEqual({ reference, status: "queued", queuedAt: expect.any(String), deliveredAt: null });
    expect(Object.keys(view)).toEqual(["reference", "status", "queuedAt", "deliveredAt"]);

    const page = await dispatch(`https://shop.test${statusUrl}`, env, asBrowser);
    expect(page.status).toBe(200);
    expectEdgeHeaders(page);
    const html = await page.text();
    expect(html).toContain("waiting to reach the shop");
    expect(html).toMatch(/data-status="queued">\s*Queued</);
    expect(html).toContain(reference);
    expect(html).toContain("What happens next");
    expect(html).toContain(`mailto:help@harbour-coffee.example?subject=Order%20${reference}`);
    expect(html).toContain('lang="en"');
    expect(html).not.toContain("/orders/status-queued");
  });

  it("shows a delivered order as delivered, with when it reached the shop", async () => {
    const { reference, statusUrl } = await queueOrder(env, "/orders/status-delivered", body);
    await origin.setMode({ mode: "ok" });
    const delivered = await runAlarmsUntil(env, reference, isDelivered);

    const json = await dispatch(`https://shop.test${statusUrl}`, env, asJson);
    expect(await json.json()).toEqual({
      reference,
      status: "delivered",
      queuedAt: delivered.queuedAt,
      deliveredAt: delivered.deliveredAt,
    });
    const html = await (await dispatch(`https://shop.test${statusUrl}`, env, asBrowser)).text();
    expect(html).toContain("reached the shop");
    expect(html).toMatch(/data-status="delivered">\s*Delivered to the shop</);
    expect(html).toContain(`datetime="${delivered.deliveredAt}"`);
  });

  it("shows a dead letter as needing attention, without blaming the shopper", async () => {
    const { reference, statusUrl } = await queueOrder(env, "/orders/status-dead", body);
    await origin.setMode({ mode: "ok" });
    await origin.route("/orders/status-dead", { status: 400, body: "no" });
    await runAlarmsUntil(env, reference, (view) => view.state === "dead");

    const json = await dispatch(`https://shop.test${statusUrl}`, env, asJson);
    expect(await json.json()).toMatchObject({ reference, status: "needs_attention", deliveredAt: null });
    const html = await (await dispatch(`https://shop.test${statusUrl}`, env, asBrowser)).text();
    expect(html).toContain("needs a closer look");
    expect(html).toMatch(/data-status="needs_attention">\s*Needs attention</);
    // Honest: not confirmed, and the shop's team gets in touch (no "don't order again" as if all were well).
    expect(html).toContain("not confirmed yet");
    expect(html).toContain("will contact you");
    expect(html).not.toContain("order again");
    expect(html).not.toContain("status_400");

    // The team takes it off the queue: the shopper is told to order again, not that all is well.
    expect((await discardOrder(env, shopOf(env), reference)).outcome).toBe("done");
    const discarded = await dispatch(`https://shop.test${statusUrl}`, env, asJson);
    expect(await discarded.json()).toMatchObject({ reference, status: "needs_attention" });
    const page = await (await dispatch(`https://shop.test${statusUrl}`, env, asBrowser)).text();
    expect(page).toContain("was not passed on to the shop");
    expect(page).toContain("please order again");
    expect(page).not.toContain("will contact you");
  });

  it("answers a malformed and an unknown reference with the same 404", async () => {
    const { reference } = await queueOrder(env, "/orders/status-404", body);
    const unknown = `${reference.slice(0, 2)}${"0".repeat(32)}`;
    const answers = [];
    for (const candidate of [unknown, "nope", "ff" + "0".repeat(32), `${reference}x`]) {
      const json = await dispatch(`https://shop.test/__stayopen/orders/${candidate}`, env, asJson);
      expect(json.status).toBe(404);
      expectEdgeHeaders(json);
      answers.push(await json.text());
      const page = await dispatch(`https://shop.test/__stayopen/orders/${candidate}`, env, asBrowser);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain("find that order");
    }
    expect(new Set(answers).size).toBe(1);
  });
});

describe("public status", () => {
  it("counts the orders still waiting for the origin, at once in the isolate that queued them", async () => {
    const before = (
      (await (await dispatch("https://shop.test/__stayopen/status.json", env)).json()) as { queuedOrders: number }
    ).queuedOrders;
    await queueOrder(env, "/orders/status-count", JSON.stringify({ n: 1 }));
    await queueOrder(env, "/orders/status-count", JSON.stringify({ n: 2 }));
    const after = (
      (await (await dispatch("https://shop.test/__stayopen/status.json", env)).json()) as { queuedOrders: number }
    ).queuedOrders;
    expect(after).toBe(before + 2);
  });
});
