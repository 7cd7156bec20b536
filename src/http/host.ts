/**
 * The host (and port) of an absolute URL, lower-cased, without parsing all of
 * it: every request needs its shop, and a full URL parse is a cost on the
 * healthy path.
 */
export function hostOf(url: string): string {
  return (/^[^:/?#]+:\/\/([^/?#]*)/.exec(url)?.[1] ?? "").toLowerCase();
}
