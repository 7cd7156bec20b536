import { describe, expect, it } from "vitest";
import { shopEnv } from "../support/worker";
import { loadConfig } from "../../src/config/shop";
import { orderTarget } from "../../src/orders/order-paths";

const target = (ORDER_PATHS: string) => orderTarget(loadConfig(shopEnv({ ORIGIN_URL: "https://o.test", ORDER_PATHS })));

describe("where edge checkout orders go", () => {
  it("posts to the first ORDER_PATHS entry, without a trailing *", () => {
    expect(target("PUT /api/orders*,POST /other")).toEqual({ method: "PUT", path: "/api/orders" });
  });

  it("skips an entry with a * segment: it names no one path", () => {
    expect(target("PATCH /api/carts/*/checkout,POST /api/orders")).toEqual({ method: "POST", path: "/api/orders" });
    expect(target("PATCH /api/carts/*/checkout")).toBeNull();
  });
});
