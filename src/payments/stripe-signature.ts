/**
 * Stripe webhook signatures: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=…]`
 * where v1 = HMAC-SHA256(webhook secret, `${t}.${raw body}`). Several v1
 * entries appear while a secret is rolled; any one may match. The comparison
 * is WebCrypto's verify, which is constant-time.
 */

export const STRIPE_TOLERANCE_S = 300;

export type SignatureCheck =
  | { ok: true }
  | {
      ok: false;
      reason: "missing_header" | "malformed_header" | "timestamp_out_of_tolerance" | "no_matching_signature";
    };

type ParsedHeader = { timestamp: number; signatures: Uint8Array[] };

function parseSignatureHeader(header: string): ParsedHeader | null {
  let timestamp: number | undefined;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.trim().split("=", 2) as [string, string?];
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === "v1" && /^[0-9a-f]{64}$/i.test(value))
      signatures.push(Uint8Array.from(value.match(/../g)!, (byte) => parseInt(byte, 16)));
  }
  return timestamp === undefined || signatures.length === 0 ? null : { timestamp, signatures };
}

export async function verifyStripeSignature(
  secret: string,
  header: string | null | undefined,
  payload: Uint8Array,
  now = Date.now(),
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: "missing_header" };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: "malformed_header" };
  if (Math.abs(now / 1000 - parsed.timestamp) > STRIPE_TOLERANCE_S)
    return { ok: false, reason: "timestamp_out_of_tolerance" };

  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const prefix = encoder.encode(`${parsed.timestamp}.`);
  const signed = new Uint8Array(prefix.byteLength + payload.byteLength);
  signed.set(prefix);
  signed.set(payload, prefix.byteLength);
  for (const signature of parsed.signatures) {
    if (await crypto.subtle.verify("HMAC", key, signature, signed)) return { ok: true };
  }
  return { ok: false, reason: "no_matching_signature" };
}
