import { fromBase64Url, toBase64Url } from "../http/base64url";

/**
 * The shopper's session travels with a queued order, so that a replay reaches
 * the origin as the shopper it came from: a signed replay proves that stayopen
 * relayed the order, not who ordered it. Only cookies named in SESSION_COOKIES
 * are kept (names matched without regard to case, as shops and frameworks
 * spell them differently), and only encrypted: AES-GCM with a key derived
 * (HKDF-SHA256) from the deployment's REPLAY_SECRET, else its ADMIN_TOKEN,
 * and a random salt each shard draws once and keeps. The stored row alone
 * never reveals a session; rotating the secret leaves queued orders to be
 * replayed as guest orders.
 */

/** `name=value; …` of the request's session cookies, in the order sent; null when it has none. */
export function sessionCookies(cookieHeader: string | null, names: readonly string[]): string | null {
  if (!cookieHeader) return null;
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  // The runtime joins repeated Cookie headers with ", ": a comma followed by a new `name=` starts a pair too.
  const pairs = cookieHeader
    .split(/;|,\s+(?=[^\s=;,]+=)/)
    .map((pair) => pair.trim())
    .filter((pair) => {
      const equals = pair.indexOf("=");
      return equals > 0 && wanted.has(pair.slice(0, equals).trim().toLowerCase());
    });
  return pairs.length > 0 ? pairs.join("; ") : null;
}

const encoder = new TextEncoder();

/** The key that seals the sessions of one shard's orders. */
export async function sessionKey(secret: string, salt: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(salt), info: encoder.encode("stayopen order session v1") },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** `v1.<iv>.<ciphertext>`, both base64url; the order's reference is bound in, so a sealed session cannot be moved to another order. */
export async function sealSession(key: CryptoKey, reference: string, session: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(reference) },
    key,
    encoder.encode(session),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(sealed)}`;
}

/** The session again, or null when it cannot be opened (another key, or not ours). */
export async function openSession(key: CryptoKey, reference: string, sealed: string): Promise<string | null> {
  const [version, ivText, dataText] = sealed.split(".");
  const iv = ivText === undefined ? null : fromBase64Url(ivText);
  const data = dataText === undefined ? null : fromBase64Url(dataText);
  if (version !== "v1" || !iv || !data) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(reference) },
      key,
      data,
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
