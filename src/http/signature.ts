/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com) on replayed
 * orders, so the origin can tell a replay from stayopen apart from anyone
 * else posting to its order API: HMAC-SHA256 over "id.timestamp.body".
 */

const encoder = new TextEncoder();

const PREFIX = "whsec_";

/**
 * The key, read as the official Standard Webhooks libraries read a secret:
 * the `whsec_` prefix is optional, the rest is the key in base64, so a shop
 * verifies with `new Webhook(REPLAY_SECRET)` as is (the configuration refuses
 * a secret that is not base64, see `replaySecret` in config.ts).
 */
export function signingKeyBytes(secret: string): Uint8Array {
  const key = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  return Uint8Array.from(atob(key), (ch) => ch.charCodeAt(0));
}

function base64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** The `webhook-signature` value: `v1,<base64 HMAC-SHA256 of "${id}.${timestamp}.${body}">`. */
export async function webhookSignature(secret: string, id: string, timestampS: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", signingKeyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${id}.${timestampS}.${body}`));
  return `v1,${base64(mac)}`;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export async function webhookHeaders(
  secret: string,
  id: string,
  body: string,
  now: number,
): Promise<Record<string, string>> {
  const timestamp = Math.floor(now / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await webhookSignature(secret, id, timestamp, body),
  };
}
