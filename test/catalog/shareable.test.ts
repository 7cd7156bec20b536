import { describe, expect, it } from "vitest";
import { cookieNames, requestIsShareable, responseIsPublic, responseIsShareable } from "../../src/catalog/shareable";

const sessions = { sessionCookies: ["shop_session", "PHPSESSID"], anonymousCookies: [] };
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
      reason: "session_cookie:PHPSESSID",
    });
    // Two Cookie headers arrive joined with ", ": the session cookie in the second one still counts.
    const twoHeaders = new Headers([
      ["cookie", "theme=dark"],
      ["cookie", "shop_session=abc"],
    ]);
    expect(requestIsShareable(request({ headers: twoHeaders }), sessions)).toMatchObject({
      reason: "session_cookie:shop_session",
    });
    expect(requestIsShareable(request({ headers: { cookie: "theme=dark, PHPSESSID=abc" } }), sessions)).toMatchObject({
      reason: "session_cookie:PHPSESSID",
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
      responseIsShareable(response(200, { "cache-control": "public, max-age=60", vary: "Accept-Encoding" }), {
        statuses: [200],
      }),
    ).toEqual({ shareable: true });
  });

  it("accepts only the configured statuses", () => {
    expect(responseIsShareable(response(404), { statuses: [200] })).toMatchObject({ reason: "status:404" });
    expect(responseIsShareable(response(404), { statuses: [200, 404] })).toEqual({ shareable: true });
  });

  it("refuses anything personal", () => {
    expect(responseIsShareable(response(200, { "set-cookie": "a=1" }), { statuses: [200] })).toMatchObject({
      reason: "set_cookie:a",
    });
    expect(responseIsShareable(response(200, { "cache-control": "private" }), { statuses: [200] })).toMatchObject({
      reason: "private",
    });
    expect(
      responseIsShareable(response(200, { "cache-control": "max-age=0, no-store" }), { statuses: [200] }),
    ).toMatchObject({
      reason: "no_store",
    });
    expect(responseIsShareable(response(200, { vary: "accept-encoding, Cookie" }), { statuses: [200] })).toMatchObject({
      reason: "vary:cookie",
    });
    expect(responseIsShareable(response(200, { vary: "Authorization" }), { statuses: [200] })).toMatchObject({
      reason: "vary:authorization",
    });
    expect(responseIsShareable(response(200, { vary: "*" }), { statuses: [200] })).toMatchObject({ reason: "vary:*" });
  });

  it("does not mistake similar directives for private ones", () => {
    expect(responseIsShareable(response(200, { "cache-control": "public, no-cache" }), { statuses: [200] })).toEqual({
      shareable: true,
    });
  });
});

describe("session cookie names", () => {
  it("match the way servers match them: any case, URL-decoded, quoted", () => {
    for (const cookie of [
      "Shop_Session=1",
      '"shop_session"=1',
      "PHPSESS%49D=1",
      "phpsessid=1",
      "theme=1; %50HPSESSID=x",
    ])
      expect(requestIsShareable(request({ headers: { cookie } }), sessions), cookie).toMatchObject({
        shareable: false,
      });
    expect(requestIsShareable(request({ headers: { cookie: "shop_sessions=1" } }), sessions)).toEqual({
      shareable: true,
    });
  });

  it("count a cookie the origin hands every visitor as a session once it is sent back", () => {
    const rules = { sessionCookies: [], anonymousCookies: ["sid"] };
    expect(requestIsShareable(request({ headers: { cookie: "SID=abc" } }), rules)).toMatchObject({
      reason: "session_cookie:sid",
    });
  });
});

describe("anonymous session cookies", () => {
  const welcome = (headers: [string, string][]) => new Response("x", { headers: new Headers(headers) });

  it("let a page through that sets only ANONYMOUS_COOKIES names", () => {
    const both = welcome([
      ["set-cookie", "sid=abc; Path=/; HttpOnly"],
      ["set-cookie", "XSRF-TOKEN=t; Path=/"],
    ]);
    expect(responseIsShareable(both, { statuses: [200], anonymousCookies: ["sid", "xsrf-token"] })).toEqual({
      shareable: true,
    });
  });

  it("still refuses a page that sets any other cookie, and names it", () => {
    const both = welcome([
      ["set-cookie", "sid=abc; Path=/"],
      ["set-cookie", "cart=1; Path=/"],
    ]);
    expect(responseIsShareable(both, { statuses: [200], anonymousCookies: ["sid"] })).toMatchObject({
      reason: "set_cookie:cart",
    });
    // Sharing one live answer between shoppers allows no cookie at all.
    expect(responseIsPublic(welcome([["set-cookie", "sid=abc"]]))).toMatchObject({ reason: "set_cookie:sid" });
  });

  it("never lets a private, no-store or cookie-varying page through", () => {
    const rules = { statuses: [200], anonymousCookies: ["sid"] };
    const withSid = (header: [string, string]) => welcome([["set-cookie", "sid=abc"], header]);
    expect(responseIsShareable(withSid(["cache-control", "private"]), rules)).toMatchObject({ reason: "private" });
    expect(responseIsShareable(withSid(["cache-control", "no-store"]), rules)).toMatchObject({ reason: "no_store" });
    expect(responseIsShareable(withSid(["vary", "Cookie"]), rules)).toMatchObject({ reason: "vary:cookie" });
  });
});

describe("targeted cache control (RFC 9213)", () => {
  it("refuses what a CDN-targeted field keeps off the edge, whatever Cache-Control says", () => {
    const cases: [string, string, string][] = [
      ["CDN-Cache-Control", "no-store", "cdn_cache_control:no-store"],
      ["CDN-Cache-Control", "private", "cdn_cache_control:private"],
      ["Cloudflare-CDN-Cache-Control", "max-age=0", "cloudflare_cdn_cache_control:max-age=0"],
      ["Surrogate-Control", "no-store", "surrogate_control:no-store"],
      ["Surrogate-Control", "max-age=0, stale-if-error=60", "surrogate_control:max-age=0"],
    ];
    for (const [name, value, reason] of cases)
      expect(
        responseIsShareable(response(200, { "cache-control": "public, max-age=300", [name]: value }), {
          statuses: [200],
        }),
        `${name}: ${value}`,
      ).toMatchObject({ reason });
  });

  it("lets a page through whose targeted fields allow keeping it", () => {
    expect(
      responseIsShareable(response(200, { "cdn-cache-control": "max-age=600", "surrogate-control": "max-age=3600" }), {
        statuses: [200],
      }),
    ).toEqual({ shareable: true });
  });
});

describe("cookieNames", () => {
  it("reads the names from a Cookie header", () => {
    expect(cookieNames("a=1; b=2;c=3")).toEqual(["a", "b", "c"]);
    expect(cookieNames("a=1, b=2")).toEqual(["a", "b"]);
    expect(cookieNames(null)).toEqual([]);
  });
});
