import type { PaymentRecord } from "../payments/ledger";

/** How an edge-checkout order gets paid, on its status page: nothing to do, finish paying, or paid. */
export function OrderPayment({ payment }: { payment: Pick<PaymentRecord, "method" | "status" | "sessionUrl"> }) {
  return (
    <section aria-labelledby="payment-heading">
      <h2 id="payment-heading">Payment</h2>
      {payment.status === "paid" ? (
        <p>Payment received, thank you.</p>
      ) : payment.status === "awaiting_payment" && payment.sessionUrl ? (
        <p>
          Your payment isn't complete yet. <a href={payment.sessionUrl}>Continue to the secure payment page</a>. If
          you'd rather not pay now, the shop will email you a payment link once it has your order.
        </p>
      ) : (
        <p>
          Nothing has been charged. The shop emails you a secure payment link once it has your order and has confirmed
          it.
        </p>
      )}
    </section>
  );
}
