/** Names on the wire that several layers must agree on. */

/**
 * Headers only a replay sets; an order forwarded live never carries a
 * client's own (the origin could take a forged queue time for the edge's).
 */
export const REPLAY_HEADERS = [
  "x-stayopen-reference",
  "x-stayopen-queued-at",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
] as const;

/** Sent as `__Host-stayopen-bypass`: Secure, Path=/, no Domain, so no subdomain can plant or read it. */
export const BYPASS_COOKIE = "stayopen-bypass";
export const BYPASS_COOKIE_HEADER_NAME = `__Host-${BYPASS_COOKIE}`;

/** Where the edge checkout lives; linked from the stale banner and the maintenance page. */
export const CHECKOUT_PATH = "/__stayopen/checkout";

/** The admin API and dashboard. */
export const ADMIN_BASE = "/__stayopen/admin";

/** The platform API and dashboard (many shops on one deployment), on every host. */
export const PLATFORM_BASE = "/__stayopen/platform";
