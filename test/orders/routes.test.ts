import { describe, expect, it } from "vitest";
import { isOrderRoute } from "../../src/orders/routes";

const routes = [
  { method: "POST", pattern: "/api/orders" },
  { method: "PUT", pattern: "/api/carts/*" },
];

describe("ORDER_PATHS matching", () => {
  it("matches an exact path with its method", () => {
    expect(isOrderRoute(routes, "POST", "/api/orders")).toBe(true);
    expect(isOrderRoute(routes, "post", "/api/orders")).toBe(true);
    expect(isOrderRoute(routes, "PUT", "/api/orders")).toBe(false);
    expect(isOrderRoute(routes, "POST", "/api/orders/1")).toBe(false);
  });

  it("matches a prefix for a pattern ending in *", () => {
    expect(isOrderRoute(routes, "PUT", "/api/carts/42/checkout")).toBe(true);
    expect(isOrderRoute(routes, "PUT", "/api/cart")).toBe(false);
  });
});
