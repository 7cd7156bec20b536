import { describe, expect, it } from "vitest";
import { csrfMatches, isCrossSite, issueSession, SESSION_TTL_S, verifySession } from "../../src/admin/session";

const TOKEN = "test-admin-token-0123456789";

describe("dashboard sessions", () => {
  it("verifies a cookie it issued, until it expires", async () => {
    const now = Date.now();
    const { cookie, session } = await issueSession(TOKEN, now);
    expect(cookie).not.toContain(TOKEN);
    expect(await verifySession(TOKEN, cookie, now)).toEqual(session);
    expect(await verifySession(TOKEN, cookie, now + SESSION_TTL_S * 1000 + 1000)).toBeNull();
  });

  it("refuses a forged, altered or foreign cookie", async () => {
    const { cookie } = await issueSession(TOKEN);
    const [id, expires, signature] = cookie.split(".") as [string, string, string];
    expect(await verifySession(TOKEN, `${id}.${Number(expires) + 3600}.${signature}`)).toBeNull();
    expect(await verifySession(TOKEN, `${id}.${expires}.${"A".repeat(43)}`)).toBeNull();
    expect(await verifySession("another-admin-token-0123456789", cookie)).toBeNull();
    expect(await verifySession(TOKEN, "garbage")).toBeNull();
  });

  it("gives each session its own CSRF token, which is not its cookie signature", async () => {
    const first = (await issueSession(TOKEN)).session;
    const second = await issueSession(TOKEN);
    expect(await csrfMatches(TOKEN, first, first.csrf)).toBe(true);
    expect(await csrfMatches(TOKEN, first, second.session.csrf)).toBe(false);
    expect(await csrfMatches(TOKEN, second.session, second.cookie.split(".")[2]!)).toBe(false);
    expect(await csrfMatches(TOKEN, first, "")).toBe(false);
  });
});

describe("isCrossSite", () => {
  const post = (headers: Record<string, string>) =>
    new Request("https://shop.test/__stayopen/admin/x", { method: "POST", headers });

  it("trusts only this site's own origin", () => {
    expect(isCrossSite(post({ origin: "https://shop.test" }))).toBe(false);
    expect(isCrossSite(post({ origin: "https://evil.test" }))).toBe(true);
    expect(isCrossSite(post({ origin: "http://shop.test" }))).toBe(true);
    expect(isCrossSite(post({ origin: "null" }))).toBe(true);
  });

  it("falls back to Sec-Fetch-Site when there is no Origin", () => {
    expect(isCrossSite(post({ "sec-fetch-site": "same-origin" }))).toBe(false);
    expect(isCrossSite(post({ "sec-fetch-site": "cross-site" }))).toBe(true);
    expect(isCrossSite(post({ "sec-fetch-site": "same-site" }))).toBe(true);
    expect(isCrossSite(post({}))).toBe(false);
  });
});
