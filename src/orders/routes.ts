import type { OrderRoute } from "../config";

/** Whether a request is an order per ORDER_PATHS: same method, and the exact path or, for a pattern ending in `*`, its prefix. */
export function isOrderRoute(routes: OrderRoute[], method: string, pathname: string): boolean {
  return routes.some(
    (route) =>
      route.method === method.toUpperCase() &&
      (route.pattern.endsWith("*") ? pathname.startsWith(route.pattern.slice(0, -1)) : pathname === route.pattern),
  );
}
