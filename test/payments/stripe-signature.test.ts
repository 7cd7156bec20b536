import { describe, expect, it } from "vitest";
import { verifyStripeSignature } from "../../src/payments/stripe-signature";
import { stripeSignature } from "./fake-stripe";

const secret = "whsec_test_secret_value";
const payload = '{"id":"evt_1","type":"checkout.session.completed"}';
const bytes = (text: string) => new TextEncoder().encode(text);

describe("Stripe webhook signatures", () => {
  it("accepts a signature made with the webhook secret", async () => {
    expect(await verifyStripeSignature(secret, await stripeSignature(secret, payload), bytes(payload))).toEqual({
      ok: true,
    });
  });

  it("accepts any matching v1 entry while a secret is being rolled", async () => {
    const good = await stripeSignature(secret, payload);
    const header = `${good.split(",")[0]},v1=${"0".repeat(64)},${good.split(",")[1]},v0=deadbeef`;
    expect(await verifyStripeSignature(secret, header, bytes(payload))).toEqual({ ok: true });
  });

  it("rejects another secret, a changed body, a missing or malformed header", async () => {
    const header = await stripeSignature(secret, payload);
    expect(await verifyStripeSignature("whsec_other", header, bytes(payload))).toEqual({
      ok: false,
      reason: "no_matching_signature",
    });
    expect(await verifyStripeSignature(secret, header, bytes(payload.replace("evt_1", "evt_2")))).toEqual({
      ok: false,
      reason: "no_matching_signature",
    });
    expect(await verifyStripeSignature(secret, undefined, bytes(payload))).toEqual({
      ok: false,
      reason: "missing_header",
    });
    expect(await verifyStripeSignature(secret, "v1=abc", bytes(payload))).toEqual({
      ok: false,
      reason: "malformed_header",
    });
    expect(await verifyStripeSignature(secret, "t=123", bytes(payload))).toEqual({
      ok: false,
      reason: "malformed_header",
    });
  });

  it("rejects timestamps more than five minutes away, so captured events cannot be replayed", async () => {
    const now = Date.now();
    const old = await stripeSignature(secret, payload, Math.floor(now / 1000) - 301);
    const recent = await stripeSignature(secret, payload, Math.floor(now / 1000) - 299);
    expect(await verifyStripeSignature(secret, old, bytes(payload), now)).toEqual({
      ok: false,
      reason: "timestamp_out_of_tolerance",
    });
    expect(await verifyStripeSignature(secret, recent, bytes(payload), now)).toEqual({ ok: true });
  });
});
