import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { subscriberList } from "../../src/notify/store";
import { dispatch, shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";

const URL_ = "https://shop.test/__stayopen/notify";
let ipCounter = 0;
const freshIp = () => `192.0.2.${++ipCounter}`;
const email = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;

function postJson(body: unknown, ip = freshIp(), testEnv = shopEnv()) {
  return dispatch(URL_, testEnv, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    body: JSON.stringify(body),
  });
}

function postForm(fields: Record<string, string>, ip = freshIp()) {
  return dispatch(URL_, shopEnv(), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "cf-connecting-ip": ip },
    body: new URLSearchParams(fields).toString(),
  });
}

const stored = async (address: string) =>
  (await subscriberList(env, varsShop(env)).list()).filter((s) => s.email === address.toLowerCase());

describe("notify me when you're back", () => {
  it("subscribes a JSON client with 202", async () => {
    const address = email("json");
    const response = await postJson({ email: address });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    expect(await response.json()).toEqual({ status: "subscribed" });
    expect(await stored(address)).toHaveLength(1);
  });

  it("thanks a shopper who used the maintenance page's form", async () => {
    const address = email("form");
    const response = await postForm({ email: address });
    expect(response.status).toBe(202);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("Thank you, we&#39;ll let you know");
    expect(await stored(address)).toHaveLength(1);
  });

  it("stores each address once, whatever its case or spacing", async () => {
    const address = email("dedupe");
    for (const variant of [address, `  ${address.toUpperCase()} `, address]) {
      expect((await postJson({ email: variant })).status).toBe(202);
    }
    expect(await stored(address)).toHaveLength(1);
  });

  it("refuses an invalid address with 400, as JSON or as the form again with the problem linked to the field", async () => {
    for (const bad of [
      "",
      "not-an-email",
      "a@b",
      `${"x".repeat(250)}@example.com`,
      42,
      "4111111111111111@example.com",
    ]) {
      const response = await postJson({ email: bad });
      expect(response.status, String(bad)).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_email" });
    }
    const page = await postForm({ email: `<script>alert(1)</script>` });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toMatch(/aria-invalid="true" aria-describedby="notify-email-error"/);
    expect(html).toContain('id="notify-email-error"');
    expect(html).toContain("<title>Error: Tell me when you");
  });

  it("refuses bodies that are neither a form nor JSON, or too large", async () => {
    const text = await dispatch(URL_, shopEnv(), {
      method: "POST",
      headers: { "content-type": "text/plain", "cf-connecting-ip": freshIp() },
      body: "a@b.c",
    });
    expect(text.status).toBe(415);
    await text.body?.cancel();
    const huge = await postJson({ email: email("big"), padding: "x".repeat(5000) });
    expect(huge.status).toBe(413);
    await huge.body?.cancel();
  });

  it("limits one client to RATE_LIMIT_NOTIFY_PER_MIN sign-ups a minute (429 with Retry-After)", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await postJson({ email: email("burst") }, ip)).status).toBe(202);
    const limited = await postJson({ email: email("burst") }, ip);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({ error: "rate_limited", retryAfter });
    expect((await postJson({ email: email("other") }, freshIp())).status).toBe(202);
  });

  it("reads the limit from RATE_LIMIT_NOTIFY_PER_MIN", async () => {
    const ip = freshIp();
    const strict = shopEnv({ RATE_LIMIT_NOTIFY_PER_MIN: "1" });
    expect((await postJson({ email: email("strict") }, ip, strict)).status).toBe(202);
    expect((await postJson({ email: email("strict") }, ip, strict)).status).toBe(429);
  });
});
