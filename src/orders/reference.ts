/**
 * Where an order lives. The reference a shopper gets is a capability: two hex
 * digits naming the shard that holds the order, then 128 random bits, so a
 * status lookup is one call to one shard and no reference can be guessed.
 */

const REFERENCE = /^([0-9a-f]{2})[0-9a-f]{32}$/;

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

export function newReference(shard: number): string {
  return shard.toString(16).padStart(2, "0") + hex(crypto.getRandomValues(new Uint8Array(16)));
}

/** The shard named by a well-formed reference, or null (malformed, or a shard this deployment does not have). */
export function shardOfReference(reference: string, shards: number): number | null {
  const match = REFERENCE.exec(reference);
  if (!match) return null;
  const shard = parseInt(match[1]!, 16);
  return shard < shards ? shard : null;
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** The shard for a dedupe key: a hash, so keys spread evenly and one key always lands in one shard. */
export async function shardFor(dedupeKey: string, shards: number): Promise<number> {
  const digest = new DataView(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(dedupeKey)));
  return digest.getUint32(0) % shards;
}

/** The Durable Object that holds one shard of one shop's queue. */
export function shardName(shopId: string, shard: number): string {
  return `${shopId}:orders:${shard}`;
}

export function statusUrl(reference: string): string {
  return `/__stayopen/orders/${reference}`;
}
