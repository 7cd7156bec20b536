import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { dispatch } from "../support/worker";
import { discardOrder } from "../../src/orders/queue";
import { isDelivered, orderEnv, queueOrder, runAlarmsUntil, shopOf } from "../orders/helpers";
import { checkoutFields, postCheckout, shopWithFeed, snapshotThenOutage, unique } from "../checkout/fixtures";

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
    expect(view).toEqual({
      reference,
      status: "queued",
      queuedAt: expect.any(String),
      deliveredAt: null,
      items: [{ name: null, sku: "A", qty: 1 }],
    });
    expect(Object.keys(view)).toEqual(["reference", "status", "queuedAt", "deliveredAt", "items"]);

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
      // Still known after delivery, when the body itself is no longer kept.
      items: [{ name: null, sku: "A", qty: 1 }],
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

/** The text of the "What you ordered" section, tags removed and spaces collapsed. */
function orderedText(html: string): string {
  const section = /<section aria-labelledby="items-heading">([\s\S]*?)<\/section>/.exec(html);
  expect(section, "no What you ordered section").not.toBeNull();
  return section![1]!
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

async function statusOf(statusUrl: string, testEnv: Env = env) {
  const json = (await (await dispatch(`https://shop.test${statusUrl}`, testEnv, asJson)).json()) as Record<
    string,
    unknown
  >;
  const html = await (await dispatch(`https://shop.test${statusUrl}`, testEnv, asBrowser)).text();
  return { json, html };
}

describe("what the order status says was ordered", () => {
  it("lists an edge-checkout order's item, quantity and total, escaped", async () => {
    const sku = unique("flat-white");
    const shop = await shopWithFeed([
      { sku, name: "Flat white <beans> & co", price: 1450, currency: "EUR", stock: null },
    ]);
    try {
      await snapshotThenOutage(shop, sku);
      const placed = await postCheckout(shop, checkoutFields({ sku, qty: "3" }));
      expect(placed.status).toBe(303);
      const { json, html } = await statusOf(placed.headers.get("location")!, shop.env);
      expect(json).toMatchObject({ items: [{ name: "Flat white <beans> & co", sku, qty: 3 }], total: "€43.50" });
      const ordered = orderedText(html);
      expect(ordered).toContain(`3 × Flat white &lt;beans&gt; &amp; co (item no. ${sku})`);
      expect(ordered).toContain("Total: €43.50");
      // The shopper's own details in the order are not repeated on a page anyone with the link can open.
      expect(html).not.toContain("Analytical Row");
      expect(html).not.toContain("ada@example.com");
    } finally {
      await shop.origin.stop();
    }
  });

  it("reads a shop's JSON order in a common shape, with a total written as text", async () => {
    const order = JSON.stringify({
      customer: { name: "Ada Lovelace", email: "ada@example.com" },
      order: {
        line_items: [
          { product_id: 17, title: "Espresso beans 1 kg", quantity: 2, price: 2400 },
          { sku: "MUG-1", quantity: "1" },
          { note: "gift wrap" },
        ],
        grand_total: "€53.90",
      },
    });
    const { statusUrl } = await queueOrder(env, "/orders/status-json-shape", order);
    const { json, html } = await statusOf(statusUrl);
    expect(json).toMatchObject({
      items: [
        { name: "Espresso beans 1 kg", sku: "17", qty: 2 },
        { name: null, sku: "MUG-1", qty: 1 },
      ],
      total: "€53.90",
    });
    const ordered = orderedText(html);
    expect(ordered).toContain("2 × Espresso beans 1 kg (item no. 17)");
    expect(ordered).toContain("1 × MUG-1");
    expect(ordered).toContain("Total: €53.90");
    expect(html).not.toContain("Ada Lovelace");
  });

  it("never guesses a price: a bare whole-number total could be cents or euros", async () => {
    const order = JSON.stringify({ items: [{ sku: "A", qty: 2, price: 1450 }], total: 2900, currency: "EUR" });
    const { statusUrl } = await queueOrder(env, "/orders/status-bare-total", order);
    const { json, html } = await statusOf(statusUrl);
    expect(json).toMatchObject({ items: [{ sku: "A", qty: 2 }] });
    expect(json).not.toHaveProperty("total");
    expect(orderedText(html)).not.toContain("Total");
    expect(html).not.toContain("2900");

    const decimal = JSON.stringify({ items: [{ sku: "A", qty: 2 }], total: "29.00", currency: "EUR" });
    const written = await queueOrder(env, "/orders/status-bare-total", decimal);
    expect((await statusOf(written.statusUrl)).json).toMatchObject({ total: "29.00 EUR" });
  });

  it("reads a form-encoded order, flat or with indexed lines, never the shopper's name as an item", async () => {
    const flat = new URLSearchParams([
      ["sku", "BEANS-1"],
      ["qty", "2"],
      ["sku", "MUG-1"],
      ["qty", "1"],
      ["name", "Ada Lovelace"],
      ["email", "ada@example.com"],
    ]).toString();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const first = await queueOrder(env, "/orders/status-form", flat, form);
    const flatStatus = await statusOf(first.statusUrl);
    expect(flatStatus.json).toMatchObject({
      items: [
        { name: null, sku: "BEANS-1", qty: 2 },
        { name: null, sku: "MUG-1", qty: 1 },
      ],
    });
    expect(orderedText(flatStatus.html)).toBe("What you ordered 2 × BEANS-1 1 × MUG-1");

    const indexed = new URLSearchParams([
      ["items[0][name]", "Filter papers"],
      ["items[0][quantity]", "4"],
      ["items[1][sku]", "KETTLE"],
      ["items[1][quantity]", "1"],
      ["total", "31.50"],
      ["currency", "GBP"],
    ]).toString();
    const second = await queueOrder(env, "/orders/status-form", indexed, form);
    const indexedStatus = await statusOf(second.statusUrl);
    expect(indexedStatus.json).toMatchObject({
      items: [
        { name: "Filter papers", sku: null, qty: 4 },
        { name: null, sku: "KETTLE", qty: 1 },
      ],
      total: "31.50 GBP",
    });
    expect(orderedText(indexedStatus.html)).toBe("What you ordered 4 × Filter papers 1 × KETTLE Total: 31.50 GBP");

    // Rails-style lines without an index: a field seen again starts the next line.
    const unindexed =
      "order[line_items][][sku]=X&order[line_items][][qty]=2&order[line_items][][sku]=Y&order[line_items][][qty]=1";
    const third = await queueOrder(env, "/orders/status-form", unindexed, form);
    expect((await statusOf(third.statusUrl)).json).toMatchObject({
      items: [
        { sku: "X", qty: 2 },
        { sku: "Y", qty: 1 },
      ],
    });
  });

  it("says the order was received as sent when its body names no items", async () => {
    const { statusUrl } = await queueOrder(env, "/orders/status-opaque", JSON.stringify({ cart: "c-123", note: "hi" }));
    const { json, html } = await statusOf(statusUrl);
    expect(json).not.toHaveProperty("items");
    expect(json).not.toHaveProperty("total");
    expect(orderedText(html)).toContain("received exactly as you sent it");
    expect(orderedText(html)).not.toContain("×");
  });

  it("shows the reference in groups of four that copy as the exact reference", async () => {
    const { reference, statusUrl } = await queueOrder(env, "/orders/status-grouped", body);
    const { html } = await statusOf(statusUrl);
    const element = /<code class="reference reference-grouped"[^>]*>([\s\S]*?)<\/code>/.exec(html);
    expect(element).not.toBeNull();
    expect(element![0]).toContain(`data-reference="${reference}"`);
    const groups = [...element![1]!.matchAll(/<span>([^<]*)<\/span>/g)].map((match) => match[1]);
    expect(groups).toHaveLength(Math.ceil(reference.length / 4));
    expect(groups.slice(0, -1).every((group) => group!.length === 4)).toBe(true);
    // Nothing but tags between the groups: the text a shopper copies, or a screen reader reads, is the reference.
    expect(element![1]!.replace(/<[^>]*>/g, "")).toBe(reference);
    expect(element![1]).toContain("<wbr");
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
