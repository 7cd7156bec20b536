/**
 * Shopper traffic may add at most SNAPSHOT_NEW_KEYS_PER_MIN new snapshot keys
 * a minute, per isolate and shop: a token bucket that refills evenly over the
 * minute, so 100 random query strings do not become 100 snapshot writes.
 * Refreshing a page that has a snapshot never takes a token (see keepFromTraffic).
 */

type Bucket = { tokens: number; at: number; cappedLoggedAt: number };

/** Keyed by shop and limit: a changed limit starts a full bucket. */
const buckets = new Map<string, Bucket>();
const MAX_BUCKETS = 1_000;

function bucketFor(shopId: string, perMin: number, now: number): Bucket {
  const id = `${shopId} ${perMin}`;
  let bucket = buckets.get(id);
  if (!bucket) {
    if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
    bucket = { tokens: perMin, at: now, cappedLoggedAt: 0 };
    buckets.set(id, bucket);
  }
  bucket.tokens = Math.min(perMin, bucket.tokens + ((now - bucket.at) * perMin) / 60_000);
  bucket.at = now;
  return bucket;
}

/** Takes one new key from the shop's budget; false when this minute's are spent. */
export function takeNewKey(shopId: string, perMin: number, now = Date.now()): boolean {
  const bucket = bucketFor(shopId, perMin, now);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** Whether a capped write should be logged: once a minute per shop, so a flood is one line, not thousands. */
export function firstCapThisMinute(shopId: string, perMin: number, now = Date.now()): boolean {
  const bucket = bucketFor(shopId, perMin, now);
  if (now - bucket.cappedLoggedAt < 60_000) return false;
  bucket.cappedLoggedAt = now;
  return true;
}
