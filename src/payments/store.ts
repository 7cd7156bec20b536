import type { Env } from "../config/env";

/** One ledger per shop: edge payments are few (only during outages) and the recovery webhook needs them all at once. */
export function paymentLedger(env: Env, shopId: string) {
  return env.PAYMENTS.getByName(shopId);
}
