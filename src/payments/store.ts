import type { Shop } from "../config/schema";
import type { Env } from "../config/env";

/** One ledger per shop: edge payments are few (only during outages) and the recovery webhook needs them all at once. */
export function paymentLedger(env: Env, shop: Shop) {
  return env.PAYMENTS.get(env.PAYMENTS.idFromName(shop.id));
}
