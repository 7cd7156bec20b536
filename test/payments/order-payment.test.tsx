import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OrderStatusPage, type OrderStatusView } from "../../src/shopper/order-status";
import { loadConfig } from "../../src/config/shop";

const config = loadConfig(env);
const order: OrderStatusView = {
  reference: "00" + "a".repeat(32),
  status: "queued",
  queuedAt: "2026-11-26T10:00:00.000Z",
  deliveredAt: null,
};
const page = (payment: Parameters<typeof OrderStatusPage>[0]["payment"], shown: OrderStatusView = order) =>
  (
    <OrderStatusPage
      config={config}
      order={shown}
      statusUrl={`/__stayopen/orders/${order.reference}`}
      payment={payment}
    />
  ).toString();
const record = {
  reference: order.reference,
  sessionId: null,
  sessionUrl: null,
  amount: 1450,
  currency: "EUR",
  createdAt: 0,
  updatedAt: 0,
  announcedAt: null,
};

describe("payment on the order status page", () => {
  it("tells a pay-later shopper that nothing was charged and a link will come", () => {
    const html = page({ ...record, method: "later", status: "pending_link" });
    expect(html).toContain('<h2 id="payment-heading">Payment</h2>');
    expect(html).toContain("Nothing has been charged");
  });

  it("links an unfinished card payment back to the hosted checkout", () => {
    const html = page({
      ...record,
      method: "stripe",
      status: "awaiting_payment",
      sessionUrl: "https://checkout.stripe.com/c/pay/cs_test_1",
    });
    expect(html).toContain('href="https://checkout.stripe.com/c/pay/cs_test_1"');
  });

  it("confirms a paid order", () => {
    expect(page({ ...record, method: "stripe", status: "paid" })).toContain("Payment received");
  });

  it("asks for no payment on an order stopped short of the shop, and sends a payment made to the shop's team", () => {
    const stopped: OrderStatusView = { ...order, status: "needs_attention" };
    const unpaid = page(
      { ...record, method: "stripe", status: "awaiting_payment", sessionUrl: "https://checkout.stripe.com/c/pay/cs_1" },
      stopped,
    );
    expect(unpaid).not.toContain("checkout.stripe.com");
    expect(unpaid).not.toContain("payment link");
    expect(unpaid).toContain("nothing to pay for this order");
    const paid = page({ ...record, method: "stripe", status: "paid" }, stopped);
    expect(paid).toContain("contact us with your order reference about your payment");
    expect(paid).not.toContain("thank you");
  });

  it("says nothing about payment for orders from the shop's own order route", () => {
    expect(page(null)).not.toContain("payment-heading");
  });
});
