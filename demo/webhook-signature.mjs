// Standard Webhooks (https://www.standardwebhooks.com) signature check, as a
// real shop backend should run it on orders replayed by stayopen. Kept free of
// the demo's other modules so it can be copied as reference code.
import { createHmac, timingSafeEqual } from "node:crypto";

const TOLERANCE_SECONDS = 5 * 60;

/**
 * @param {object} args
 * @param {string} args.secret  REPLAY_SECRET; "whsec_<base64>" or a plain string
 * @param {Headers|Record<string, string|string[]|undefined>} args.headers
 * @param {string|Uint8Array} args.rawBody  the body exactly as received, before parsing
 * @param {number} [args.now]  current time in milliseconds
 * @returns {{ok: true} | {ok: false, reason: string}}
 */
export function verifyWebhook({ secret, headers, rawBody, now = Date.now() }) {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing_signature_headers" };

  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "invalid_timestamp" };
  // A stale or future timestamp means a captured request is being replayed by someone else.
  if (Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return { ok: false, reason: "timestamp_out_of_tolerance" };
  }

  const expected = createHmac("sha256", signingKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest();

  // Several entries appear while a secret is being rotated; any one may match.
  for (const entry of signatures.split(" ")) {
    const [version, value] = entry.split(",", 2);
    if (version !== "v1" || !value) continue;
    const candidate = Buffer.from(value, "base64");
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
      return { ok: true };
    }
  }
  return { ok: false, reason: "no_matching_signature" };
}

function signingKey(secret) {
  return secret.startsWith("whsec_")
    ? Buffer.from(secret.slice("whsec_".length), "base64")
    : Buffer.from(secret, "utf8");
}

function header(headers, name) {
  const value = typeof headers.get === "function" ? headers.get(name) : headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? undefined);
}
