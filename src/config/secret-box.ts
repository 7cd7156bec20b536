import { fromBase64Url, toBase64Url } from "../http/base64url";

/**
 * A registered shop's secrets at rest: one AES-256-GCM blob per shop, under a
 * key derived from PLATFORM_TOKEN with HKDF-SHA256. The shop id is the
 * additional data, so a blob copied onto another shop does not open. The
 * sealed text is `v1.<base64url(iv ‖ ciphertext)>`; a new key scheme gets a
 * new prefix.
 */
const VERSION = "v1";
const IV_BYTES = 12;
const SALT = new TextEncoder().encode("stayopen shop registry");
const INFO = new TextEncoder().encode("shop secrets v1");

const keys = new Map<string, Promise<CryptoKey>>();

/** Derived once per token per isolate: HKDF costs little, but every snapshot opens every shop's secrets. */
function keyFor(token: string): Promise<CryptoKey> {
  let key = keys.get(token);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(token), "HKDF", false, [
        "deriveKey",
      ]);
      return crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: SALT, info: INFO },
        material,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    keys.set(token, key);
  }
  return key;
}

/** The secrets as one sealed text; a fresh random IV every time. */
export async function sealSecrets(token: string, shopId: string, secrets: Record<string, string>): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(secrets));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(shopId) },
    await keyFor(token),
    plaintext,
  );
  const sealed = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  sealed.set(iv);
  sealed.set(new Uint8Array(ciphertext), IV_BYTES);
  return `${VERSION}.${toBase64Url(sealed)}`;
}

/**
 * The secrets, or null when the text does not open with this token for this
 * shop (another PLATFORM_TOKEN, another shop's blob, changed bytes).
 */
export async function openSecrets(
  token: string,
  shopId: string,
  sealed: string,
): Promise<Record<string, string> | null> {
  const [version, body] = sealed.split(".", 2);
  const bytes = version === VERSION && body !== undefined ? fromBase64Url(body) : null;
  if (!bytes || bytes.length <= IV_BYTES) return null;
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: new TextEncoder().encode(shopId) },
      await keyFor(token),
      bytes.subarray(IV_BYTES),
    );
    const secrets: unknown = JSON.parse(new TextDecoder().decode(plaintext));
    if (typeof secrets !== "object" || secrets === null || Array.isArray(secrets)) return null;
    return Object.fromEntries(
      Object.entries(secrets).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  } catch {
    return null;
  }
}
