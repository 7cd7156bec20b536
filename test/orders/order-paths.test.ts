import { describe, expect, it } from "vitest";
import { isOrderRoute } from "../../src/orders/order-paths";

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

  it("matches one path segment for a * in the middle", () => {
    const checkout = [{ method: "PATCH", pattern: "/api/carts/*/checkout" }];
    expect(isOrderRoute(checkout, "PATCH", "/api/carts/7/checkout")).toBe(true);
    expect(isOrderRoute(checkout, "PATCH", "/api/carts/a-b.c/checkout")).toBe(true);
    expect(isOrderRoute(checkout, "PATCH", "/api/carts//checkout")).toBe(false);
    expect(isOrderRoute(checkout, "PATCH", "/api/carts/7/8/checkout")).toBe(false);
    expect(isOrderRoute(checkout, "PATCH", "/api/carts/7/checkout/again")).toBe(false);
    expect(isOrderRoute(checkout, "PATCH", "/api/carts/*/checkout")).toBe(true);
  });

  it("takes regular-expression characters in a pattern literally", () => {
    const dotted = [{ method: "POST", pattern: "/v1.0/orders" }];
    expect(isOrderRoute(dotted, "POST", "/v1.0/orders")).toBe(true);
    expect(isOrderRoute(dotted, "POST", "/v1x0/orders")).toBe(false);
  });
});
