import { afterEach, describe, expect, it } from "vitest";
import { paymentLedger } from "../../src/payments/store";
import {
  checkoutFields,
  formToken,
  postCheckout,
  shopWithFeed,
  snapshotThenOutage,
  unique,
  type TestShop,
} from "../checkout/fixtures";
import { dispatch } from "../support/worker";
import { FakeStripe } from "./fake-stripe";
import { varsShop } from "../../src/config/shop";
import { drainNow, getOrder } from "../../src/orders/queue";

let shop: TestShop | undefined;
afterEach(async () => {
  await shop?.origin.stop();
  shop = undefined;
});

async function stripeShop(stripe: FakeStripe, stock: number | null = 5) {
  const sku = unique("PAY");
  shop = await shopWithFeed([{ sku, name: "Ethiopia Yirgacheffe 250 g", price: 1450, currency: "EUR", stock }], {
    ...stripe.vars(),
    RATE_LIMIT_CHECKOUT_PER_MIN: "100000",
  });
  await snapshotThenOutage(shop, sku);
  return { shop, sku };
}

describe("Stripe Checkout at the edge", () => {
  it("offers paying now by card next to paying later when a key is configured", async () => {
    const stripe = new FakeStripe();
    const { shop, sku } = await stripeShop(stripe);
    const html = await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env)).text();
    expect(html).toMatch(/value="later"[^>]*checked/);
    expect(html).toContain('value="stripe"');
    expect(html).toContain("Pay now by card");
  });

  it("creates exactly one session per order even when Stripe's answer is lost and the form is sent again", async () => {
    const stripe = new FakeStripe();
    const { shop, sku } = await stripeShop(stripe);
    await stripe.fault({ mode: "drop-after-create", times: 1 });

    const fields = checkoutFields({ sku, qty: "2", payment: "stripe", token: formToken() });
    const first = await postCheckout(shop, fields);
    expect(first.status).toBe(303);
    const { calls, sessions } = await stripe.account();
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(first.headers.get("location")).toBe(session.url);

    const reference = session.client_reference_id!;
    expect(reference).toMatch(/^[0-9a-f]{34}$/);
    expect(calls).toHaveLength(2);
    expect(calls.map((call) => call.idempotencyKey)).toEqual([reference, reference]);
    expect(calls[0]!.form).toMatchObject({
      mode: "payment",
      client_reference_id: reference,
      customer_email: "ada@example.com",
      success_url: `https://shop.test/__stayopen/orders/${reference}`,
      cancel_url: `https://shop.test/__stayopen/orders/${reference}`,
      "line_items[0][quantity]": "2",
      "line_items[0][price_data][currency]": "eur",
      "line_items[0][price_data][unit_amount]": "1450",
      "line_items[0][price_data][product_data][name]": "Ethiopia Yirgacheffe 250 g",
      "metadata[stayopen_reference]": reference,
      "metadata[stayopen_shop]": "default",
    });
    expect(session.amount_total).toBe(2900);

    const again = await postCheckout(shop, fields);
    expect(again.headers.get("location")).toBe(session.url);
    expect((await stripe.account()).sessions).toHaveLength(1);
    expect(await paymentLedger(shop.env, varsShop(shop.env)).get(reference)).toMatchObject({
      method: "stripe",
      status: "awaiting_payment",
      sessionId: session.id,
    });
  });

  it("creates one session when the same form arrives twice at once", async () => {
    const stripe = new FakeStripe();
    const { shop, sku } = await stripeShop(stripe);
    const fields = checkoutFields({ sku, payment: "stripe" });
    const responses = await Promise.all([postCheckout(shop, fields), postCheckout(shop, fields)]);
    const { sessions } = await stripe.account();
    expect(sessions).toHaveLength(1);
    expect(responses.map((response) => response.headers.get("location"))).toEqual([sessions[0]!.url, sessions[0]!.url]);
  });

  it("keeps the order and falls back to a payment link when Stripe cannot be reached", async () => {
    const stripe = new FakeStripe();
    const { shop, sku } = await stripeShop(stripe);
    await stripe.fault({ mode: "status", status: 500, times: 3 });
    const response = await postCheckout(shop, checkoutFields({ sku, payment: "stripe" }), {
      accept: "application/json",
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { reference: string; statusUrl: string };
    expect(response.headers.get("link")).toBeNull();
    const status = await dispatch(`https://shop.test${body.statusUrl}`, shop.env, {
      headers: { accept: "application/json" },
    });
    expect(((await status.json()) as { payment: unknown }).payment).toEqual({
      method: "stripe",
      status: "pending_link",
    });
    expect((await stripe.account()).calls).toHaveLength(3);
    expect(await paymentLedger(shop.env, varsShop(shop.env)).get(body.reference)).toMatchObject({
      status: "pending_link",
    });
  });

  it("offers no page to pay on once the order is stopped short of the shop (a dead letter)", async () => {
    const stripe = new FakeStripe();
    const { shop, sku } = await stripeShop(stripe);
    const response = await postCheckout(shop, checkoutFields({ sku, payment: "stripe" }), {
      accept: "application/json",
    });
    const { reference, statusUrl } = (await response.json()) as { reference: string; statusUrl: string };
    await shop.origin.route("/api/orders", { status: 400, body: "refused" });
    await shop.origin.setMode({ mode: "ok" });
    const s = varsShop(shop.env);
    await drainNow(shop.env, s);
    await expect.poll(async () => (await getOrder(shop.env, s, reference))?.state, { timeout: 5_000 }).toBe("dead");

    const status = await dispatch(`https://shop.test${statusUrl}`, shop.env, {
      headers: { accept: "application/json" },
    });
    const shown = (await status.json()) as { status: string; payment: Record<string, unknown> };
    expect(shown.status).toBe("needs_attention");
    expect(shown.payment).toEqual({ method: "stripe", status: "awaiting_payment" });
  });

  it("answers JSON clients the order 202, with the page to pay on in Link and at the status URL", async () => {
    const stripe = new FakeStripe();
    const { shop, sku } = await stripeShop(stripe);
    const response = await postCheckout(shop, checkoutFields({ sku, payment: "stripe" }), {
      accept: "application/json",
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { reference: string; statusUrl: string };
    expect(Object.keys(body).sort()).toEqual(["reference", "status", "statusUrl"]);
    const [session] = (await stripe.account()).sessions;
    expect(response.headers.get("link")).toBe(`<${session!.url}>; rel="payment"`);
    const status = await dispatch(`https://shop.test${body.statusUrl}`, shop.env, {
      headers: { accept: "application/json" },
    });
    expect(((await status.json()) as { payment: unknown }).payment).toEqual({
      method: "stripe",
      status: "awaiting_payment",
      url: session!.url,
    });
  });

  it("does not offer or accept card payment without a key", async () => {
    const sku = unique("NOKEY");
    shop = await shopWithFeed([{ sku, name: "Tea", price: 700, currency: "EUR", stock: 3 }], {
      RATE_LIMIT_CHECKOUT_PER_MIN: "100000",
    });
    await snapshotThenOutage(shop, sku);
    const response = await postCheckout(shop, checkoutFields({ sku, payment: "stripe" }), {
      accept: "application/json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ fields: { payment: "Choose how you want to pay." } });
  });
});
