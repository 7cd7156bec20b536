import { describe, expect, it } from "vitest";
import { cookieNames, requestIsShareable, responseIsShareable } from "../../src/catalog/shareable";

const sessions = ["shop_session", "PHPSESSID"];
const request = (init: RequestInit = {}) => new Request("https://s.test/p/1", init);
const response = (status: number, headers: Record<string, string> = {}) => new Response("x", { status, headers });

describe("requestIsShareable", () => {
  it("accepts an anonymous GET, even with harmless cookies", () => {
    expect(requestIsShareable(request({ headers: { cookie: "theme=dark; consent=1" } }), sessions)).toEqual({
      shareable: true,
    });
  });

  it("refuses requests that may get a personal answer", () => {
    expect(requestIsShareable(request({ headers: { authorization: "Basic x" } }), sessions)).toMatchObject({
      reason: "authorization",
    });
    expect(requestIsShareable(request({ headers: { cookie: "a=1; PHPSESSID=abc" } }), sessions)).toMatchObject({
      reason: "session_cookie",
    });
    // Two Cookie headers arrive joined with ", ": the session cookie in the second one still counts.
    const twoHeaders = new Headers([
      ["cookie", "theme=dark"],
      ["cookie", "shop_session=abc"],
    ]);
    expect(requestIsShareable(request({ headers: twoHeaders }), sessions)).toMatchObject({ reason: "session_cookie" });
    expect(requestIsShareable(request({ headers: { cookie: "theme=dark, PHPSESSID=abc" } }), sessions)).toMatchObject({
      reason: "session_cookie",
    });
    expect(requestIsShareable(request({ method: "POST", body: "x" }), sessions)).toMatchObject({ reason: "method" });
    expect(requestIsShareable(request({ headers: { range: "bytes=0-10" } }), sessions)).toMatchObject({
      reason: "range",
    });
  });
});

describe("responseIsShareable", () => {
  it("accepts a public 200", () => {
    expect(
      responseIsShareable(response(200, { "cache-control": "public, max-age=60", vary: "Accept-Encoding" }), [200]),
    ).toEqual({ shareable: true });
  });

  it("accepts only the configured statuses", () => {
    expect(responseIsShareable(response(404), [200])).toMatchObject({ reason: "status" });
    expect(responseIsShareable(response(404), [200, 404])).toEqual({ shareable: true });
  });

  it("refuses anything personal", () => {
    expect(responseIsShareable(response(200, { "set-cookie": "a=1" }), [200])).toMatchObject({ reason: "set_cookie" });
    expect(responseIsShareable(response(200, { "cache-control": "private" }), [200])).toMatchObject({
      reason: "cache_control",
    });
    expect(responseIsShareable(response(200, { "cache-control": "max-age=0, no-store" }), [200])).toMatchObject({
      reason: "cache_control",
    });
    expect(responseIsShareable(response(200, { vary: "accept-encoding, Cookie" }), [200])).toMatchObject({
      reason: "vary",
    });
    expect(responseIsShareable(response(200, { vary: "Authorization" }), [200])).toMatchObject({ reason: "vary" });
    expect(responseIsShareable(response(200, { vary: "*" }), [200])).toMatchObject({ reason: "vary" });
  });

  it("does not mistake similar directives for private ones", () => {
    expect(responseIsShareable(response(200, { "cache-control": "public, no-cache" }), [200])).toEqual({
      shareable: true,
    });
  });
});

describe("cookieNames", () => {
  it("reads the names from a Cookie header", () => {
    expect(cookieNames("a=1; b=2;c=3")).toEqual(["a", "b", "c"]);
    expect(cookieNames("a=1, b=2")).toEqual(["a", "b"]);
    expect(cookieNames(null)).toEqual([]);
  });
});
