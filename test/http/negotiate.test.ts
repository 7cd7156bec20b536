import { describe, expect, it } from "vitest";
import { wantsJson, wantsPage } from "../../src/http/negotiate";

const request = (path: string, accept?: string) =>
  new Request(`https://shop.test${path}`, accept === undefined ? {} : { headers: { accept } });

describe("who gets JSON and who gets a page", () => {
  it.each([
    ["/p/1", "application/json", true, false],
    ["/p/1", "application/vnd.api+json", true, false],
    ["/p/1", "text/html,application/json", false, true],
    ["/p/1", "text/html,application/xhtml+xml,*/*;q=0.8", false, true],
    ["/api/cart", "text/html", true, false],
    ["/p/1", "*/*", false, false],
    ["/p/1", undefined, false, false],
  ])("%s with Accept %s: JSON %s, page %s", (path, accept, json, page) => {
    expect(wantsJson(request(path, accept))).toBe(json);
    expect(wantsPage(request(path, accept))).toBe(page);
  });
});
