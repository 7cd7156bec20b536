import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { signingKeyBytes, webhookHeaders, webhookSignature } from "../../src/http/signature";

const SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("Standard Webhooks signature", () => {
  it("matches the specification's example for a whsec_ secret", async () => {
    const signature = await webhookSignature(
      SPEC_SECRET,
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("reads a secret as the official library does: the whsec_ prefix is optional, the rest is the base64 key", async () => {
    const bare = SPEC_SECRET.slice("whsec_".length);
    expect(signingKeyBytes(bare)).toEqual(signingKeyBytes(SPEC_SECRET));
    const id = "0a00112233445566778899aabbccddeeff";
    for (const secret of [
      SPEC_SECRET,
      bare,
      "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=",
      "AAECAwQFBgcICQoLDA0ODw==",
    ]) {
      expect(await webhookSignature(secret, id, 1700000000, '{"sku":"Ä"}'), secret).toBe(
        new Webhook(secret).sign(id, new Date(1700000000 * 1000), '{"sku":"Ä"}'),
      );
    }
  });

  it("signs replays that new Webhook(secret).verify(body, headers) accepts, JSON and form bodies alike", async () => {
    const secret = "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=";
    const json = '{"items":[{"sku":"A","qty":1}],"name":"Zoë"}';
    const jsonHeaders = await webhookHeaders(secret, "ref-json", json, Date.now());
    expect(new Webhook(secret).verify(json, jsonHeaders)).toEqual(JSON.parse(json));
    const form = "sku=A&qty=1&name=Zo%C3%AB";
    const formHeaders = await webhookHeaders(secret, "ref-form", form, Date.now());
    // The library parses the payload as JSON unless told not to; a form body is verified with jsonParse: false.
    expect(() => new Webhook(secret).verify(form, formHeaders, { jsonParse: false })).not.toThrow();
    expect(() => new Webhook(secret).verify(`${form}&qty=2`, formHeaders, { jsonParse: false })).toThrow(
      "No matching signature found",
    );
  });

  it("sends id, unix-seconds timestamp and signature together", async () => {
    const secret = "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=";
    const headers = await webhookHeaders(secret, "ref123", "{}", 1_700_000_000_999);
    expect(headers["webhook-id"]).toBe("ref123");
    expect(headers["webhook-timestamp"]).toBe("1700000000");
    expect(headers["webhook-signature"]).toBe(await webhookSignature(secret, "ref123", 1700000000, "{}"));
  });
});
