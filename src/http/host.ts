/**
 * The host (and port) of an absolute URL, lower-cased, without parsing all of
 * it: every request needs its shop, and a full URL parse is a cost on the
 * healthy path.
 */
export function hostOf(url: string): string {
  return (/^[^:/?#]+:\/\/([^/?#]*)/.exec(url)?.[1] ?? "").toLowerCase();
}

/**
 * The host a shop is registered for: lower-case, without a port or the DNS root's
 * trailing dot (`Shop.Example.:8443` and `shop.example` are one shop; an IPv6
 * literal keeps its brackets).
 */
export function withoutPort(host: string): string {
  return host.toLowerCase().replace(/:\d*$/, "").replace(/\.$/, "");
}
