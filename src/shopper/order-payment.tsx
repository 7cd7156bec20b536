import type { PaymentRecord } from "../payments/ledger";

/**
 * How an edge-checkout order gets paid, on its status page: nothing to do,
 * finish paying, or paid. For an order stopped short of the shop (needs
 * attention), no payment is asked for, and a payment made is a matter for
 * the shop's team.
 */
export function OrderPayment({
  payment,
  stopped,
}: {
  payment: Pick<PaymentRecord, "method" | "status" | "sessionUrl">;
  stopped: boolean;
}) {
  return (
    <section aria-labelledby="payment-heading">
      <h2 id="payment-heading">Payment</h2>
      {payment.status === "paid" ? (
        stopped ? (
          <p>
            Payment received. As this order has not reached the shop, please contact us with your order reference about
            your payment.
          </p>
        ) : (
          <p>Payment received, thank you.</p>
        )
      ) : stopped ? (
        <p>Nothing has been charged, and there is nothing to pay for this order.</p>
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
