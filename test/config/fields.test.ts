import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  csv,
  int,
  ipRange,
  onOff,
  optional,
  orDefault,
  orderPath,
  orderReplies,
  originUrl,
  path,
  statusRanges,
  token,
} from "../../src/config/fields";

/** The first message a field gives for this text (what parseConfig prefixes with the variable's name). */
function message(field: z.ZodType, text: string): string | undefined {
  const result = field.safeParse(text);
  return result.success ? undefined : result.error.issues[0]!.message;
}

describe("the kinds of value a configuration variable holds", () => {
  it("reads blank text as unset: off for an optional field, the default for the others", () => {
    expect(optional(token(16)).parse("  ")).toBeUndefined();
    expect(orDefault(path, "/").parse("")).toBe("/");
    expect(int(1, 10, 3).parse(" ")).toBe(3);
    expect(csv(path, "/").parse("")).toEqual(["/"]);
    expect(onOff("off").parse("")).toBe(false);
  });

  it("reads whole numbers within bounds, saying which bound a value misses", () => {
    expect(int(1, 10, 3).parse(" 7 ")).toBe(7);
    expect(message(int(1, 10, 3), "2.5")).toBe("must be a whole number between 1 and 10");
    expect(message(int(1, 10, 3), "0")).toBe("must be at least 1");
    expect(message(int(1, 10, 3), "11")).toBe("must be at most 10");
  });

  it("splits a comma-separated list, trimming entries and dropping empty ones", () => {
    expect(csv(orderPath, "").parse(" post /a/* ,, PATCH /b ")).toEqual([
      { method: "POST", pattern: "/a/*" },
      { method: "PATCH", pattern: "/b" },
    ]);
    expect(message(csv(orderPath, ""), "POST /a, GET /b")).toMatch(/^must list entries like "POST \/api\/orders"/);
  });

  it("takes an origin as a base URL: no trailing slash, no query, no fragment", () => {
    expect(originUrl.parse("https://origin.test/shop//")).toBe("https://origin.test/shop");
    expect(message(originUrl, "https://origin.test/?v=1")).toBe("must be an http(s) URL without a query or fragment");
    expect(message(originUrl, "origin.test")).toBe("must be an http(s) URL");
  });

  it("reads status ranges and IP ranges, naming the entry that is not one", () => {
    expect(statusRanges("200-399").parse(undefined)).toEqual([{ min: 200, max: 399 }]);
    expect(message(statusRanges("200-399"), "2xx")).toBe('must list statuses or ranges like "200-399" or "200,204"');
    expect(ipRange.safeParse("203.0.113.0/24").success).toBe(true);
    expect(message(ipRange, "300.1.1.1")).toContain('(not "300.1.1.1")');
  });

  it("finds every placeholder of an order reply that would not be filled in, where it is", () => {
    const issues = orderReplies.safeParse(
      JSON.stringify({
        "POST /a": { status: 200, body: { ok: "{reference}", list: ["{refrence}"], "{statusUrl}": 1 } },
      }),
    ).error!.issues;
    expect(issues.map(({ path: where, message: said }) => [where, said])).toEqual([
      [["POST /a", "body", "list", 0], "has an unknown placeholder {refrence} (only {reference} and {statusUrl})"],
      [["POST /a", "body", "{statusUrl}"], "is a placeholder in an object key: placeholders go in string values only"],
    ]);
    expect(message(orderReplies, '{"POST /a":{"status":204,"body":{}}}')).toBe("must be 200, 201, 202 or 203");
    expect(message(orderReplies, "{")).toMatch(/^must be a JSON object like /);
  });
});
