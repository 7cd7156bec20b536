import type { Config, OrderRoute } from "../config/schema";

const matchers = new Map<string, RegExp>();

/**
 * An ORDER_PATHS pattern as a regular expression: a `*` at the end matches
 * any rest of the path (a prefix), a `*` anywhere else one path segment
 * (`/api/carts/*\/checkout`). Built once per pattern.
 */
function orderPathMatcher(pattern: string): RegExp {
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

/** Whether a request is an order per ORDER_PATHS: same method, and a path its pattern matches. */
export function isOrderRoute(routes: OrderRoute[], method: string, pathname: string): boolean {
  return routes.some(
    (route) => route.method === method.toUpperCase() && orderPathMatcher(route.pattern).test(pathname),
  );
}

export type OrderTarget = { method: "POST" | "PUT" | "PATCH"; path: string };

/**
 * Where edge orders go: the first ORDER_PATHS entry that names one path (a
 * trailing `*` prefix marker dropped; a `*` segment names no path to post to).
 */
export function orderTarget(config: Config): OrderTarget | null {
  for (const route of config.orderPaths) {
    const path = route.pattern.replace(/\*+$/, "") || "/";
    if (!path.includes("*")) return { method: route.method as OrderTarget["method"], path };
  }
  return null;
}
