import { describe, expect, it } from "vitest";
import { parseFeed } from "../../src/feed/schema";

const product = {
  sku: "COF-1",
  name: "Coffee",
  price: 1450,
  currency: "eur",
  stock: 3,
  url: "/p/1",
  image: "/img/1.svg",
};

describe("product feed schema", () => {
  it("reads products by sku with prices in minor units", () => {
    const feed = parseFeed({ products: [product] });
    expect(feed?.skipped).toBe(0);
    expect(feed?.products.get("COF-1")).toEqual({ ...product, currency: "EUR" });
  });

  it("treats missing or null stock as untracked and negative stock as none left", () => {
    const feed = parseFeed({
      products: [
        { ...product, sku: "A", stock: null },
        { ...product, sku: "B", stock: undefined },
        { ...product, sku: "C", stock: -2 },
      ],
    })!;
    expect(feed.products.get("A")?.stock).toBeNull();
    expect(feed.products.get("B")?.stock).toBeNull();
    expect(feed.products.get("C")?.stock).toBe(0);
  });

  it("skips malformed products and duplicate skus instead of rejecting the whole feed", () => {
    const feed = parseFeed({
      products: [
        product,
        { ...product, sku: "X", price: 12.5 },
        { ...product, sku: "" },
        { ...product, name: "Duplicate" },
        "nonsense",
      ],
    })!;
    expect([...feed.products.keys()]).toEqual(["COF-1"]);
    expect(feed.products.get("COF-1")?.name).toBe("Coffee");
    expect(feed.skipped).toBe(4);
  });

  it("drops links a browser must not follow but keeps the product", () => {
    const feed = parseFeed({ products: [{ ...product, url: "javascript:alert(1)", image: "//evil.example/x.png" }] })!;
    expect(feed.products.get("COF-1")?.url).toBeUndefined();
    expect(feed.products.get("COF-1")?.image).toBeUndefined();
  });

  it("refuses documents that are not a feed", () => {
    expect(parseFeed([product])).toBeNull();
    expect(parseFeed({ items: [product] })).toBeNull();
    expect(parseFeed(null)).toBeNull();
  });
});
