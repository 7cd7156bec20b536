import { describe, expect, it } from "vitest";
import { hostOf, withoutPort } from "../../src/http/host";

describe("hostOf", () => {
  it("is the host and port of a request URL, lower-cased, as URL would give it", () => {
    for (const url of [
      "https://Shop.Example.com/p/1?utm_source=x",
      "http://127.0.0.1:8787/",
      "https://shop.test",
      "https://shop.test?q=1",
    ]) {
      expect(hostOf(url)).toBe(new URL(url).host);
    }
  });
});

describe("withoutPort", () => {
  it("is the host a shop is registered for: lower-case, no port, no trailing root dot, IPv6 brackets kept", () => {
    expect(withoutPort("Shop.Example.:8443")).toBe("shop.example");
    expect(withoutPort("shop.example")).toBe("shop.example");
    expect(withoutPort("[::1]:8787")).toBe("[::1]");
  });
});
