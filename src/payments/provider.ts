/**
 * How an edge order gets paid. No provider ever sees card data at the edge:
 * either the shop sends a payment link once it is back, or the shopper pays
 * on the provider's own hosted page.
 */
export type PaymentMethod = "later" | "stripe";

/**
 * pending_link: the shop must send a payment link when it is back.
 * awaiting_payment: the shopper was sent to a hosted checkout; the provider has the answer.
 * paid: the provider confirmed payment through its signed webhook.
 */
export type PaymentStatus = "pending_link" | "awaiting_payment" | "paid";

export type PaymentLine = { sku: string; name: string; qty: number; price: number; currency: string };

export type PaymentRequest = {
  shopId: string;
  reference: string;
  /** Absolute URL of the order's status page; hosted checkouts return the shopper there. */
  returnUrl: string;
  email: string;
  lines: PaymentLine[];
};

export type PaymentStart =
  | { kind: "nothing_to_do" }
  | { kind: "redirect"; url: string; sessionId: string }
  /** The provider could not be reached or refused; the order falls back to a payment link. */
  | { kind: "failed"; reason: string };

export interface PaymentProvider {
  readonly method: PaymentMethod;
  /** What the shopper picks in the checkout form. */
  readonly label: string;
  readonly hint: string;
  /** The status the order is queued with. */
  readonly initialStatus: PaymentStatus;
  start(request: PaymentRequest): Promise<PaymentStart>;
}
