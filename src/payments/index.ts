export { PaymentLedger, paymentState, type PaymentRecord, type PaymentState, type Unannounced } from "./ledger";
export {
  paymentProviders,
  type PaymentLine,
  type PaymentMethod,
  type PaymentProvider,
  type PaymentRequest,
  type PaymentStart,
  type PaymentStatus,
} from "./provider";
export { payments } from "./routes";
export { paymentLedger } from "./store";
export { checkoutSessionForm, createCheckoutSession, stripeCheckout } from "./stripe";
export { verifyStripeSignature, STRIPE_TOLERANCE_S } from "./stripe-signature";
