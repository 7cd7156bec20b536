import type { Shop } from "../config/shop";
import { payLater } from "./pay-later";
import type { PaymentProvider } from "./provider";
import { stripeCheckout } from "./stripe";

/** The ways to pay this shop offers at the edge, pay-later first (the default). */
export function paymentProviders(shop: Shop): PaymentProvider[] {
  const stripe = shop.config.stripe;
  return [
    payLater,
    ...(stripe.secretKey ? [stripeCheckout({ apiBase: stripe.apiBase, secretKey: stripe.secretKey })] : []),
  ];
}
