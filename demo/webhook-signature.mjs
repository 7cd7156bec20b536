// Standard Webhooks (https://www.standardwebhooks.com) signature check, as a
// real shop backend should run it on orders replayed by stayopen: the official
// `standardwebhooks` library, given REPLAY_SECRET as is. Kept free of the
// demo's other modules so it can be copied as reference code.
import { Webhook, WebhookVerificationError } from "standardwebhooks";

/** The library's messages, as short reasons for a log or a 401 body. */
const REASONS = new Map([
  ["Missing required headers", "missing_signature_headers"],
  ["Invalid Signature Headers", "invalid_timestamp"],
  ["Message timestamp too old", "timestamp_out_of_tolerance"],
  ["Message timestamp too new", "timestamp_out_of_tolerance"],
  ["No matching signature found", "no_matching_signature"],
]);

/**
 * @param {object} args
 * @param {string} args.secret  REPLAY_SECRET as stayopen has it: "whsec_<base64 key>" (the prefix is optional)
 * @param {Headers|Record<string, string|string[]|undefined>} args.headers
 * @param {string|Uint8Array} args.rawBody  the body exactly as received, before parsing
 * @returns {{ok: true} | {ok: false, reason: string}}
 */
export function verifyWebhook({ secret, headers, rawBody }) {
  try {
    // Replays carry JSON or form bodies: the library would parse a verified body as JSON unless told not to.
    new Webhook(secret).verify(rawBody, plainHeaders(headers), { jsonParse: false });
    return { ok: true };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return { ok: false, reason: REASONS.get(error.message) ?? "bad_signature" };
  }
}

/** The library reads a plain object of strings; Node gives arrays for repeated headers, fetch a Headers. */
function plainHeaders(headers) {
  const entries = typeof headers.entries === "function" ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(
    entries
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
  );
}
