import type { Context } from "hono";

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/**
 * Every error stayopen answers itself: its code (the public `error` field),
 * its status, and the message it carries unless the caller says more. The one
 * place a code and its status are written down, so one error has one name.
 */
export const ERRORS = {
  // Requests stayopen cannot read.
  unsupported_media_type: { status: 415, message: "Send application/x-www-form-urlencoded or application/json." },
  unsupported_content_encoding: { status: 415, message: "Send the body uncompressed." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  invalid_json: { status: 400, message: "The body is not valid JSON." },
  invalid_encoding: { status: 400, message: "The body must be UTF-8 text." },
  empty_body: { status: 400, message: "The body is empty." },
  body_too_deep: { status: 400, message: "The body is nested too deeply." },
  body_incomplete: { status: 400, message: "The request body ended before it was complete." },
  invalid_request: { status: 400, message: "The request is not valid." },
  // Addresses and access.
  not_found: { status: 404, message: "Nothing is here." },
  no_shop: { status: 404, message: "No shop is served at this address." },
  registry_unavailable: { status: 503, message: "The shop can't be reached right now; try again shortly." },
  unauthorized: { status: 401, message: "Send Authorization: Bearer <ADMIN_TOKEN>." },
  cross_site_request: { status: 403, message: "State changes must come from this site." },
  login_not_here: {
    status: 403,
    message:
      "The platform dashboard signs in on a host no shop uses (such as the Worker's fallback hostname); the API takes Authorization: Bearer <PLATFORM_TOKEN> on every host.",
  },
  csrf_token_invalid: { status: 403, message: "Reload the dashboard and try again." },
  bypass_link_invalid: { status: 404, message: "This bypass link has expired or was already used." },
  rate_limited: { status: 429, message: "Too many requests; try again later." },
  // Orders.
  invalid_order: { status: 400, message: "An order is a POST, PUT or PATCH to a path starting with /." },
  invalid_idempotency_key: { status: 400, message: "Idempotency-Key must be 1 to 255 visible ASCII characters." },
  idempotency_key_reused: {
    status: 422,
    message: "This Idempotency-Key was already used for a different order.",
  },
  card_data_refused: {
    status: 422,
    message:
      "This order contains what looks like a card number. Card details can't be sent with an order: remove them and pay once the shop confirms your order.",
  },
  card_scan_failed: {
    status: 422,
    message:
      "This order could not be checked for card numbers, so it was not accepted. Send it as plain JSON or form fields.",
  },
  out_of_stock: { status: 409, message: "Not enough of this product is left." },
  // The operator's order queue.
  invalid_state: { status: 400, message: "Unknown order state." },
  invalid_limit: { status: 400, message: "limit must be a whole number." },
  in_flight: {
    status: 409,
    message: "This order is being sent to the shop right now; look again in a few seconds.",
  },
  not_pending: { status: 409, message: "Only orders not yet delivered can be retried or discarded." },
  // The platform API (many shops on one deployment).
  invalid_shop: { status: 400, message: "The shop is not valid." },
  host_taken: { status: 409, message: "A host belongs to another shop." },
  // The edge checkout.
  checkout_not_offered: { status: 404, message: "This shop takes orders on its own pages only." },
  catalog_unavailable: {
    status: 503,
    message: "We couldn't load the product list. Please try again in a few minutes.",
  },
  unknown_sku: { status: 404, message: "It may no longer be sold, or the link is incomplete." },
  invalid_qty: { status: 400, message: "That quantity doesn't work." },
  // Notifications and payments.
  invalid_email: { status: 400, message: "Enter a valid email address." },
  invalid_signature: { status: 400, message: "Stripe-Signature check failed." },
  invalid_event: { status: 400, message: "The event is not JSON." },
  // The edge itself.
  origin_unavailable: { status: 503, message: "The shop's own system is not answering; try again later." },
  config_invalid: { status: 503, message: "stayopen configuration error." },
  internal_error: { status: 500, message: "Something went wrong at the edge." },
} as const satisfies Record<string, { status: ErrorStatus; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Errors stayopen knows how to answer itself. Anything else reaching
 * `app.onError` is logged and answered with a generic 500, never a stack trace.
 * `shown` is false for the few answers whose body carries no message (a bare
 * 404 that says nothing about what exists, the contract's `origin_unavailable`).
 */
export class StayopenError<Code extends ErrorCode = ErrorCode> extends Error {
  readonly isStayopenError = true;
  readonly status: (typeof ERRORS)[Code]["status"];
  readonly shown: boolean;
  constructor(
    readonly code: Code,
    message: string | null = ERRORS[code].message,
    readonly headers: Record<string, string> = {},
    readonly details: Record<string, unknown> = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = "StayopenError";
    this.status = ERRORS[code].status;
    this.shown = message !== null;
  }
}

export function isStayopenError(error: unknown): error is StayopenError {
  return typeof error === "object" && error !== null && (error as StayopenError).isStayopenError === true;
}

/**
 * The error `code` with the catalogue's status. `message` replaces the
 * catalogue's (null: a body without one); `details` are extra body fields
 * after it, such as `retryAfter`.
 */
export function problem<Code extends ErrorCode>(
  code: Code,
  message?: string | null,
  headers?: Record<string, string>,
  details?: Record<string, unknown>,
): StayopenError<Code> {
  return new StayopenError(code, message, headers, details);
}

/**
 * A feature closed because a variable it needs is unusable: 503 with a message
 * naming the variable (never its value), until the operator corrects it.
 */
export class ConfigError extends StayopenError<"config_invalid"> {
  constructor(readonly problem: { variable: string; message: string }) {
    super("config_invalid", `stayopen configuration error: ${problem.message}`);
    this.name = "ConfigError";
  }
}

/** The body of every error answer: `{"error", "message", …details}`. */
export function errorBody(error: StayopenError): Record<string, unknown> {
  return { error: error.code, ...(error.shown ? { message: error.message } : {}), ...error.details };
}

/**
 * The one JSON presenter, for `app.onError` and for routes that answer an
 * error without throwing: the error's status and body, `headers` under the
 * error's own.
 */
export function errorResponse(c: Context, error: StayopenError, headers: Record<string, string> = {}): Response {
  return c.json(errorBody(error), error.status, { ...headers, ...error.headers });
}
