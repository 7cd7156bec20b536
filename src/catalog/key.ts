/**
 * Snapshot keys: one key per page as everyone sees it. Host lower-cased,
 * scheme and fragment ignored, tracking parameters dropped, query sorted by
 * name (repeated parameters keep their order),
 * so /p/1?utm_source=x and /p/1 share one snapshot.
 */

const TRACKING_PARAM =
  /^(utm_[a-z0-9_]+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|igshid|twclid|ttclid|li_fat_id|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|ref_src)$/i;

export function isTrackingParam(name: string): boolean {
  return TRACKING_PARAM.test(name);
}

const recent = new Map<string, string>();
const RECENT_LIMIT = 2048;
const MAX_REMEMBERED_CHARS = 1024;

/** Memoized: the same hot URLs come by many times a second, and parsing and sorting them each time shows in profiles. */
export function normalizeUrl(input: string | URL): string {
  const href = typeof input === "string" ? input : input.href;
  let normalized = recent.get(href);
  if (normalized === undefined) {
    normalized = normalize(new URL(href));
    // Hot URLs are short; a made-up long one is not worth keeping in memory.
    if (href.length <= MAX_REMEMBERED_CHARS) {
      if (recent.size >= RECENT_LIMIT) recent.clear();
      recent.set(href, normalized);
    }
  }
  return normalized;
}

function normalize(url: URL): string {
  const params = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  // By name only: the sort is stable, so repeated parameters keep their order (`sort=a&sort=b` is not `sort=b&sort=a`).
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${url.host.toLowerCase()}${url.pathname}${query ? `?${query}` : ""}`;
}

/** Every KV key of a shop's page snapshots starts with this. */
export const snapshotKeyPrefix = (shopId: string) => `snap:${shopId}:`;

/** KV keys are limited to 512 bytes; long URLs are stored under a hash of themselves. */
export async function storageKey(shopId: string, normalized: string): Promise<string> {
  const key = `${snapshotKeyPrefix(shopId)}${normalized}`;
  if (new TextEncoder().encode(key).length <= 480) return key;
  return `${snapshotKeyPrefix(shopId)}#${await sha256Hex(normalized)}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
