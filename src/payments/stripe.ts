import { z } from "zod";
import { backoffDelayMs, type BackoffPolicy } from "../http/backoff";
import { log } from "../log";
import { fetchWithDeadline } from "../origin/fetch";
import type { PaymentProvider, PaymentRequest, PaymentStart } from "./provider";

export type StripeCredentials = { apiBase: string; secretKey: string };

const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 5_000;
/** Retries inside the shopper's request: a quarter second, the window at most a second. */
const RETRY: BackoffPolicy = { baseMs: 250, maxMs: 1_000 };

const sessionSchema = z.object({ id: z.string().min(1), url: z.string().refine((url) => /^https?:\/\//.test(url)) });

/** The Checkout Session as Stripe's form-encoded API wants it; amounts straight from the feed snapshot. */
export function checkoutSessionForm(request: PaymentRequest): URLSearchParams {
  const form = new URLSearchParams({
    mode: "payment",
    client_reference_id: request.reference,
    customer_email: request.email,
    success_url: request.returnUrl,
    cancel_url: request.returnUrl,
    "metadata[stayopen_reference]": request.reference,
    "metadata[stayopen_shop]": request.shopId,
    "payment_intent_data[metadata][stayopen_reference]": request.reference,
  });
  request.lines.forEach((line, index) => {
    const at = `line_items[${index}]`;
    form.set(`${at}[quantity]`, String(line.qty));
    form.set(`${at}[price_data][currency]`, line.currency.toLowerCase());
    form.set(`${at}[price_data][unit_amount]`, String(line.price));
    form.set(`${at}[price_data][product_data][name]`, line.name);
    form.set(`${at}[price_data][product_data][metadata][sku]`, line.sku);
  });
  return form;
}

/** Network trouble, Stripe's own errors, rate limits and an idempotent request still in flight are worth another try. */
const retryable = (status: number) => status === 409 || status === 429 || status >= 500;

/**
 * Creates (or, for a reference seen before, finds again) the order's Checkout
 * Session. The Idempotency-Key is the order reference, so retries here, a
 * resubmitted form and a second isolate all get the same single session.
 */
export async function createCheckoutSession(
  credentials: StripeCredentials,
  request: PaymentRequest,
): Promise<PaymentStart> {
  const body = checkoutSessionForm(request).toString();
  let reason = "not_attempted";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt - 1, RETRY)));
    const call = await fetchWithDeadline(
      new Request(`${credentials.apiBase}/v1/checkout/sessions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${credentials.secretKey}`,
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": request.reference,
        },
        body,
      }),
      ATTEMPT_TIMEOUT_MS,
    );
    if (call.kind === "error") {
      reason = call.reason;
      log("warn", "stripe_session_attempt_failed", { reference: request.reference, attempt, reason });
      continue;
    }
    const response = call.response;
    if (response.ok) {
      const session = sessionSchema.safeParse(await response.json().catch(() => null));
      if (session.success) return { kind: "redirect", url: session.data.url, sessionId: session.data.id };
      return { kind: "failed", reason: "unexpected_response" };
    }
    const error = await response.text();
    reason = `status_${response.status}`;
    log("warn", "stripe_session_attempt_failed", {
      reference: request.reference,
      attempt,
      reason,
      error: error.slice(0, 500),
    });
    if (!retryable(response.status)) break;
  }
  return { kind: "failed", reason };
}

/** Stripe Checkout as an edge payment provider: the shopper pays on Stripe's page, never on ours. */
export function stripeCheckout(credentials: StripeCredentials): PaymentProvider {
  return {
    method: "stripe",
    label: "Pay now by card",
    hint: "You pay on Stripe's secure page; your card details never pass through this site.",
    initialStatus: "awaiting_payment",
    start: (request) => createCheckoutSession(credentials, request),
  };
}
