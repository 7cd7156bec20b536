import { describe, expect, it } from "vitest";
import { signingKeyBytes, webhookHeaders, webhookSignature } from "../../src/orders/signature";

describe("Standard Webhooks signature", () => {
  it("matches the specification's example for a whsec_ secret", async () => {
    const signature = await webhookSignature(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("uses a plain secret's UTF-8 bytes as the key", async () => {
    // Computed separately with Node: createHmac("sha256", secret).update(`${id}.${timestamp}.${body}`).digest("base64")
    const signature = await webhookSignature(
      "test-replay-secret-0123456789",
      "0a00112233445566778899aabbccddeeff",
      1700000000,
      '{"sku":"A"}',
    );
    expect(signature).toBe("v1,yGZA6WTeFfukrPfVq5xb1jyzBFml+aI4mWSGppxgk9Y=");
    expect(signingKeyBytes("Grüße-0123456789")).toEqual(new TextEncoder().encode("Grüße-0123456789"));
  });

  it("sends id, unix-seconds timestamp and signature together", async () => {
    const headers = await webhookHeaders("test-replay-secret-0123456789", "ref123", "{}", 1_700_000_000_999);
    expect(headers["webhook-id"]).toBe("ref123");
    expect(headers["webhook-timestamp"]).toBe("1700000000");
    expect(headers["webhook-signature"]).toBe(
      await webhookSignature("test-replay-secret-0123456789", "ref123", 1700000000, "{}"),
    );
  });
});
