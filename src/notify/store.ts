import type { Shop } from "../config/shop";
import type { Env } from "../config/env";

/** One subscriber list per shop. */
export function subscriberList(env: Env, shop: Shop) {
  return env.SUBSCRIBERS.getByName(shop.id);
}
