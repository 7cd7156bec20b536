/** Test-side handle on the local Stripe stand-in (test/support/fake-stripe-server.ts): one fresh account per instance. */
import { inject } from "vitest";

export type StripeCall = {
  method: string;
  path: string;
  idempotencyKey: string | null;
  form: Record<string, string>;
  at: number;
};
export type StripeSession = {
  id: string;
  url: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  amount_total: number;
  currency: string | null;
  success_url: string | null;
  cancel_url: string | null;
};

export class FakeStripe {
  readonly apiBase = inject("fakeStripe");
  readonly secretKey = `rk_test_${crypto.randomUUID().replaceAll("-", "")}`;
  readonly webhookSecret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;

  /** The next `times` session requests fail: with a status, or after the session was created (the response is lost). */
  async fault(
    fault: { mode: "status"; status: number; times: number } | { mode: "drop-after-create"; times: number },
  ): Promise<void> {
    const response = await fetch(`${this.apiBase}/__control/accounts/${this.secretKey}/faults`, {
      method: "POST",
      body: JSON.stringify(fault),
    });
    if (!response.ok) throw new Error(`fake stripe fault failed: ${response.status}`);
  }

  async account(): Promise<{ calls: StripeCall[]; sessions: StripeSession[] }> {
    return (await (await fetch(`${this.apiBase}/__control/accounts/${this.secretKey}`)).json()) as {
      calls: StripeCall[];
      sessions: StripeSession[];
    };
  }

  vars(): Record<string, string> {
    return {
      STRIPE_API_BASE: this.apiBase,
      STRIPE_SECRET_KEY: this.secretKey,
      STRIPE_WEBHOOK_SECRET: this.webhookSecret,
    };
  }
}

/** Signs an event the way Stripe does: v1 = hex HMAC-SHA256(secret, `${t}.${payload}`). */
export async function stripeSignature(
  secret: string,
  payload: string,
  timestampS = Math.floor(Date.now() / 1000),
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${timestampS}.${payload}`)),
  );
  return `t=${timestampS},v1=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
