import type { PaymentProvider } from "./provider";

/** The default: the order is reserved now and the shop sends a payment link once it has the order. */
export const payLater: PaymentProvider = {
  method: "later",
  label: "Pay later",
  hint: "The shop emails you a secure payment link once it has your order. Nothing is charged now.",
  initialStatus: "pending_link",
  start: async () => ({ kind: "nothing_to_do" }),
};
