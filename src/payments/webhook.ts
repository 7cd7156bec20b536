import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { bodyError, readBytes } from "../http/body";
import { log } from "../log";
import { paymentLedger } from "./store";
import { verifyStripeSignature } from "./stripe-signature";

const MAX_EVENT_BYTES = 512 * 1024;

const eventSchema = z.object({
  id: z.string(),
  type: z.string(),
  data: z.object({
    object: z.object({
      id: z.string(),
      payment_status: z.string().nullish(),
      amount_total: z.number().nullish(),
      currency: z.string().nullish(),
      metadata: z.record(z.string(), z.string()).nullish(),
    }),
  }),
});

const PAID_ON_COMPLETION = new Set(["paid", "no_payment_required"]);

/**
 * POST /__stayopen/payments/stripe/webhook: Stripe tells us a Checkout
 * Session finished. Only signed events count; a bad signature is a 400 and
 * changes nothing. Events for other shops or unknown orders are acknowledged
 * and ignored so Stripe stops retrying them.
 */
export async function stripeWebhook(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const headers = { "cache-control": "no-store", "x-stayopen-source": "edge" };
  const secret = shop.config.stripe.webhookSecret;
  if (!secret) return errorResponse(c, problem("not_found", null), headers);

  const read = await readBytes(c.req.raw, MAX_EVENT_BYTES);
  if (!read.ok) return errorResponse(c, bodyError(read.problem, { maxBytes: MAX_EVENT_BYTES }, "event"), headers);
  const check = await verifyStripeSignature(secret, c.req.header("stripe-signature"), read.bytes);
  if (!check.ok) {
    log("warn", "stripe_webhook_rejected", { shop: shop.id, reason: check.reason });
    return errorResponse(c, problem("invalid_signature", `Stripe-Signature check failed: ${check.reason}.`), headers);
  }

  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(read.bytes));
  } catch {
    return errorResponse(c, problem("invalid_event"), headers);
  }
  const event = eventSchema.safeParse(document);
  if (!event.success) return c.json({ received: true, ignored: "not_a_checkout_session" }, 200, headers);

  const session = event.data.data.object;
  // Only sessions stayopen created carry its metadata: a customer can put any client_reference_id on the
  // shop's own Payment Links, so that alone proves nothing.
  const reference = session.metadata?.stayopen_reference;
  if (!reference || session.metadata?.stayopen_shop !== shop.id) {
    return c.json({ received: true, ignored: "not_a_stayopen_order" }, 200, headers);
  }

  const ledger = paymentLedger(c.env, shop.id);
  switch (event.data.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded": {
      const paid =
        event.data.type === "checkout.session.async_payment_succeeded" ||
        PAID_ON_COMPLETION.has(session.payment_status ?? "");
      if (!paid) return c.json({ received: true, outcome: "payment_pending" }, 200, headers);
      const outcome = await ledger.markPaid(reference, {
        id: session.id,
        amountTotal: session.amount_total ?? null,
        currency: session.currency ?? null,
      });
      log("info", "stripe_webhook_paid", { shop: shop.id, reference, stripeEvent: event.data.id, outcome });
      return c.json({ received: true, outcome }, 200, headers);
    }
    case "checkout.session.expired":
    case "checkout.session.async_payment_failed":
      await ledger.linkNeeded(reference, event.data.type, session.id);
      return c.json({ received: true, outcome: "payment_link_needed" }, 200, headers);
    default:
      return c.json({ received: true, ignored: event.data.type }, 200, headers);
  }
}
