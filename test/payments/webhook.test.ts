import { afterEach, describe, expect, it } from "vitest";
import { paymentLedger } from "../../src/payments/store";
import {
  checkoutFields,
  postCheckout,
  shopWithFeed,
  snapshotThenOutage,
  unique,
  type TestShop,
} from "../checkout/fixtures";
import { dispatch } from "../support/worker";
import { FakeStripe, stripeSignature } from "./fake-stripe";
import { varsShop } from "../../src/config/shop";

let shop: TestShop | undefined;
afterEach(async () => {
  await shop?.origin.stop();
  shop = undefined;
});

const WEBHOOK = "https://shop.test/__stayopen/payments/stripe/webhook";

function completed(reference: string, sessionId: string, paymentStatus = "paid", shopId = "default"): string {
  return JSON.stringify({
    id: `evt_${crypto.randomUUID().slice(0, 8)}`,
    type: "checkout.session.completed",
    data: {
      object: {
        id: sessionId,
        object: "checkout.session",
        client_reference_id: reference,
        payment_status: paymentStatus,
        metadata: { stayopen_reference: reference, stayopen_shop: shopId },
      },
    },
  });
}

function post(env: TestShop["env"], payload: string, signature?: string) {
  return dispatch(WEBHOOK, env, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
    body: payload,
  });
}

async function awaitingOrder(stripe: FakeStripe) {
  const sku = unique("HOOK");
  shop = await shopWithFeed([{ sku, name: "Moka pot", price: 3500, currency: "EUR", stock: 4 }], {
    ...stripe.vars(),
    RATE_LIMIT_CHECKOUT_PER_MIN: "100000",
  });
  await snapshotThenOutage(shop, sku);
  expect((await postCheckout(shop, checkoutFields({ sku, payment: "stripe" }))).status).toBe(303);
  const session = (await stripe.account()).sessions[0]!;
  const ledger = paymentLedger(shop.env, varsShop(shop.env));
  return { shop, ledger, reference: session.client_reference_id!, sessionId: session.id };
}

describe("Stripe webhook", () => {
  it("marks the order paid on a correctly signed checkout.session.completed", async () => {
    const stripe = new FakeStripe();
    const { shop, ledger, reference, sessionId } = await awaitingOrder(stripe);
    const payload = completed(reference, sessionId);
    const response = await post(shop.env, payload, await stripeSignature(stripe.webhookSecret, payload));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: "paid" });
    expect(await ledger.get(reference)).toMatchObject({ status: "paid", sessionId });
  });

  it("answers 400 to a bad signature and changes nothing", async () => {
    const stripe = new FakeStripe();
    const { shop, ledger, reference, sessionId } = await awaitingOrder(stripe);
    const payload = completed(reference, sessionId);
    const cases = [
      await stripeSignature("whsec_not_the_secret", payload),
      await stripeSignature(stripe.webhookSecret, payload, Math.floor(Date.now() / 1000) - 600),
      await stripeSignature(stripe.webhookSecret, payload.replace('"paid"', '"unpaid"')),
      "t=1,v1=zz",
      undefined,
    ];
    for (const signature of cases) {
      const response = await post(shop.env, payload, signature);
      expect(response.status, String(signature)).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_signature" });
    }
    expect(await ledger.get(reference)).toMatchObject({ status: "awaiting_payment" });
  });

  it("waits for async_payment_succeeded when the session completed unpaid", async () => {
    const stripe = new FakeStripe();
    const { shop, ledger, reference, sessionId } = await awaitingOrder(stripe);
    const unpaid = completed(reference, sessionId, "unpaid");
    expect(
      await (await post(shop.env, unpaid, await stripeSignature(stripe.webhookSecret, unpaid))).json(),
    ).toMatchObject({ outcome: "payment_pending" });
    expect(await ledger.get(reference)).toMatchObject({ status: "awaiting_payment" });
    const succeeded = completed(reference, sessionId).replace(
      "checkout.session.completed",
      "checkout.session.async_payment_succeeded",
    );
    await post(shop.env, succeeded, await stripeSignature(stripe.webhookSecret, succeeded));
    expect(await ledger.get(reference)).toMatchObject({ status: "paid" });
  });

  it("hands an expired, unpaid session back to the shop as needing a payment link", async () => {
    const stripe = new FakeStripe();
    const { shop, ledger, reference, sessionId } = await awaitingOrder(stripe);
    const expired = completed(reference, sessionId, "unpaid").replace(
      "checkout.session.completed",
      "checkout.session.expired",
    );
    expect((await post(shop.env, expired, await stripeSignature(stripe.webhookSecret, expired))).status).toBe(200);
    expect(await ledger.get(reference)).toMatchObject({ status: "pending_link" });
  });

  it("acknowledges events for unknown orders or other shops without changing anything", async () => {
    const stripe = new FakeStripe();
    const { shop, ledger, reference, sessionId } = await awaitingOrder(stripe);
    const unknown = completed("00" + "f".repeat(32), "cs_other");
    expect(await (await post(shop.env, unknown, await stripeSignature(stripe.webhookSecret, unknown))).json()).toEqual({
      received: true,
      outcome: "unknown",
    });
    const otherShop = completed(reference, sessionId, "paid", "another-shop");
    expect(
      await (await post(shop.env, otherShop, await stripeSignature(stripe.webhookSecret, otherShop))).json(),
    ).toMatchObject({ ignored: "not_a_stayopen_order" });
    expect(await ledger.get(reference)).toMatchObject({ status: "awaiting_payment" });
  });

  it("marks nothing paid from a session it did not open for the order (a Payment Link with the reference, €1)", async () => {
    const stripe = new FakeStripe();
    const { shop, ledger, reference, sessionId } = await awaitingOrder(stripe);
    const signed = async (payload: string) =>
      post(shop.env, payload, await stripeSignature(stripe.webhookSecret, payload));
    // Another session of the same account: a customer set client_reference_id on the shop's Payment Link.
    const paymentLink = JSON.stringify({
      id: "evt_link",
      type: "checkout.session.completed",
      data: {
        object: { id: "cs_link", client_reference_id: reference, payment_status: "paid", amount_total: 100 },
      },
    });
    expect(await (await signed(paymentLink)).json()).toMatchObject({ ignored: "not_a_stayopen_order" });
    // Even with stayopen's metadata copied over, only the session opened for the order counts, for its amount.
    const otherSession = completed(reference, "cs_link");
    expect(await (await signed(otherSession)).json()).toEqual({ received: true, outcome: "not_this_payment" });
    const lessMoney = completed(reference, sessionId).replace(
      '"payment_status":"paid"',
      '"payment_status":"paid","amount_total":100',
    );
    expect(await (await signed(lessMoney)).json()).toEqual({ received: true, outcome: "not_this_payment" });
    expect(await ledger.get(reference)).toMatchObject({ status: "awaiting_payment" });

    expect(await (await signed(completed(reference, sessionId))).json()).toEqual({ received: true, outcome: "paid" });
  });

  it("does not exist without STRIPE_WEBHOOK_SECRET", async () => {
    shop = await shopWithFeed([]);
    const response = await post(shop.env, "{}", "t=1,v1=00");
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });
});
