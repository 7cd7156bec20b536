/** Where the edge checkout lives, and what it offers; linked from the stale banner and the maintenance page. */
export const CHECKOUT_PATH = "/__stayopen/checkout";
export const CHECKOUT_TITLE = "Order now, we'll confirm when we're back";
