import { describe, expect, it } from "vitest";
import { bodyKind, orderBodyError, parseOrderBody, readOrderBody } from "../../src/orders/body";

const bytes = (text: string) => new TextEncoder().encode(text);
const limits = { orderMaxBytes: 1024, orderMaxDepth: 64 };
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("order bodies", () => {
  it("accepts JSON and form-encoded content types", () => {
    expect(bodyKind("application/json; charset=utf-8")).toBe("json");
    expect(bodyKind("application/vnd.shop+json")).toBe("json");
    expect(bodyKind("application/x-www-form-urlencoded")).toBe("form");
    expect(bodyKind("multipart/form-data; boundary=x")).toBeNull();
    expect(bodyKind("text/plain")).toBeNull();
    expect(bodyKind(null)).toBeNull();
  });

  it("keeps the text exactly as sent", () => {
    const read = parseOrderBody("application/json", bytes('{ "sku" : "A" }'), 64);
    expect(read).toMatchObject({ ok: true, body: { kind: "json", text: '{ "sku" : "A" }' } });
  });

  it("accepts JSON after a byte order mark and keeps the mark", () => {
    const read = parseOrderBody("application/json", bytes('\ufeff{"sku":"A"}'), 64);
    expect(read).toMatchObject({ ok: true, body: { kind: "json", text: '\ufeff{"sku":"A"}' } });
  });

  it("refuses a compressed body before reading it", async () => {
    const request = new Request("https://shop.test/api/orders", {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: new Uint8Array([0x1f, 0x8b, 0x08, 0x00]),
    });
    expect(await readOrderBody(request, 1024, 64)).toEqual({ ok: false, problem: "unsupported_encoding" });
    expect(orderBodyError("unsupported_encoding", limits)).toMatchObject({
      status: 415,
      code: "unsupported_content_encoding",
    });
  });

  it("names what is wrong with a body", () => {
    expect(parseOrderBody("application/json", bytes("{nope"), 64)).toEqual({ ok: false, problem: "invalid_json" });
    expect(parseOrderBody("application/json", bytes("  "), 64)).toEqual({ ok: false, problem: "empty" });
    expect(parseOrderBody("application/x-www-form-urlencoded", new Uint8Array([0x61, 0x3d, 0xff]), 64)).toEqual({
      ok: false,
      problem: "not_utf8",
    });
    expect(parseOrderBody("text/plain", bytes("hi"), 64)).toEqual({ ok: false, problem: "unsupported_media_type" });
  });

  it("refuses JSON nested deeper than ORDER_MAX_DEPTH, however deep, and takes it up to the limit", () => {
    expect(parseOrderBody("application/json", bytes(nested(64)), 64)).toMatchObject({ ok: true });
    expect(parseOrderBody("application/json", bytes(`{"a":${nested(3)}}`), 3)).toEqual({
      ok: false,
      problem: "too_deep",
    });
    expect(parseOrderBody("application/json", bytes(nested(65)), 64)).toEqual({ ok: false, problem: "too_deep" });
    expect(parseOrderBody("application/json", bytes(nested(20_000)), 64)).toEqual({ ok: false, problem: "too_deep" });
    // Brackets inside strings are text, not nesting.
    expect(parseOrderBody("application/json", bytes(`{"note":"${"[{".repeat(100)}"}`), 2)).toMatchObject({ ok: true });
    expect(orderBodyError("too_deep", limits)).toMatchObject({ status: 400, code: "body_too_deep" });
  });
});
