import { describe, expect, it } from "vitest";
import { isTrackingParam, normalizeUrl, storageKey } from "../../src/catalog/key";

describe("normalizeUrl", () => {
  it("lower-cases the host and ignores scheme and fragment", () => {
    expect(normalizeUrl("https://Shop.Example.COM/p/1#reviews")).toBe("shop.example.com/p/1");
    expect(normalizeUrl("http://shop.example.com/p/1")).toBe("shop.example.com/p/1");
  });

  it("sorts the query and drops tracking parameters", () => {
    expect(normalizeUrl("https://s.test/c?b=2&utm_source=x&a=1&gclid=g&fbclid=f&utm_campaign=y")).toBe(
      "s.test/c?a=1&b=2",
    );
  });

  it("keeps repeated parameters in their order, which many servers read as the value (last one wins, or a list)", () => {
    expect(normalizeUrl("https://s.test/c?sort=a&sort=b")).not.toBe(normalizeUrl("https://s.test/c?sort=b&sort=a"));
    expect(normalizeUrl("https://s.test/c?sort=b&page=2&sort=a")).toBe("s.test/c?page=2&sort=b&sort=a");
  });

  it("keeps the path case, which origins treat as significant", () => {
    expect(normalizeUrl("https://s.test/P/1")).not.toBe(normalizeUrl("https://s.test/p/1"));
  });
});

describe("isTrackingParam", () => {
  it("knows the usual click and campaign ids but not real filters", () => {
    for (const name of ["utm_source", "UTM_Medium", "gclid", "fbclid", "msclkid", "_ga", "mc_cid"])
      expect(isTrackingParam(name)).toBe(true);
    for (const name of ["page", "color", "q", "utm", "ref"]) expect(isTrackingParam(name)).toBe(false);
  });
});

describe("storageKey", () => {
  it("namespaces by shop", async () => {
    expect(await storageKey("a", "s.test/")).not.toBe(await storageKey("b", "s.test/"));
  });

  it("hashes keys that would exceed the KV key limit", async () => {
    const key = await storageKey("default", `s.test/search?q=${"x".repeat(600)}`);
    expect(new TextEncoder().encode(key).length).toBeLessThanOrEqual(512);
    expect(key).toMatch(/^snap:default:#[0-9a-f]{64}$/);
  });
});
