/**
 * Snapshot keys: one key per page as everyone sees it. Host lower-cased,
 * scheme and fragment ignored, tracking parameters dropped, query sorted,
 * so /p/1?utm_source=x and /p/1 share one snapshot.
 */

const TRACKING_PARAM = /^(utm_[a-z0-9_]+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|yclid|igshid|twclid|ttclid|li_fat_id|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|ref_src)$/i;

export function isTrackingParam(name: string): boolean {
  return TRACKING_PARAM.test(name);
}

export function normalizeUrl(input: string | URL): string {
  const url = new URL(input);
  const params = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${url.host.toLowerCase()}${url.pathname}${query ? `?${query}` : ""}`;
}

/** KV keys are limited to 512 bytes; long URLs are stored under a hash of themselves. */
export async function storageKey(shopId: string, normalized: string): Promise<string> {
  const key = `snap:${shopId}:${normalized}`;
  if (new TextEncoder().encode(key).length <= 480) return key;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(normalized));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `snap:${shopId}:#${hex}`;
}
