import type { Config, OrderRoute } from "../config/schema";
import { pathPattern } from "../http/path-pattern";

/** The first route (ORDER_PATHS, ORDER_REPLIES) with the request's method whose pattern matches its path. */
export function findOrderRoute<T extends OrderRoute>(routes: T[], method: string, pathname: string): T | undefined {
  const upper = method.toUpperCase();
  return routes.find((route) => route.method === upper && pathPattern(route.pattern).test(pathname));
}

/** Whether a request is an order per ORDER_PATHS: same method, and a path its pattern matches. */
export function isOrderRoute(routes: OrderRoute[], method: string, pathname: string): boolean {
  return findOrderRoute(routes, method, pathname) !== undefined;
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
