const matchers = new Map<string, RegExp>();

/**
 * A path pattern as a regular expression: a `*` at the end matches any rest
 * of the path (a prefix), a `*` anywhere else one path segment
 * (`/api/carts/*\/checkout`). Built once per pattern.
 *
 * @example pathPattern("/checkout*").test("/checkout/payment") // true
 */
export function pathPattern(pattern: string): RegExp {
  let matcher = matchers.get(pattern);
  if (!matcher) {
    const prefix = pattern.endsWith("*");
    const body = (prefix ? pattern.slice(0, -1) : pattern)
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]+");
    matcher = new RegExp(`^${body}${prefix ? "" : "$"}`);
    matchers.set(pattern, matcher);
  }
  return matcher;
}
