import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { verifyWebhook } from "../webhook-signature.mjs";
import { get, makeDataDir, postOrder, removeDataDir, startShop } from "../test-support/shop-process.mjs";

const TIMEOUT = { timeout: 15_000 };
const WHSEC = `whsec_${randomBytes(24).toString("base64")}`;

/**
 * What stayopen's replay sends, written from the specification (not with the
 * library under test): HMAC-SHA256 keyed with the base64 key after the optional
 * whsec_ prefix, over the exact body.
 */
function sign(
  secret,
  body,
  { id = `msg_${randomBytes(8).toString("hex")}`, timestamp = Math.floor(Date.now() / 1000) } = {},
) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}

describe("verifyWebhook", () => {
  const body = '{"sku":"TEA-EARL-100","qty":1}';

  test("accepts a correct signature, the secret with or without its whsec_ prefix, JSON and form bodies", () => {
    assert.deepEqual(verifyWebhook({ secret: WHSEC, headers: sign(WHSEC, body), rawBody: body }), { ok: true });
    const bare = WHSEC.slice("whsec_".length);
    assert.deepEqual(verifyWebhook({ secret: bare, headers: sign(WHSEC, body), rawBody: Buffer.from(body) }), {
      ok: true,
    });
    const form = "sku=TEA-EARL-100&qty=1&name=Zo%C3%AB";
    assert.deepEqual(verifyWebhook({ secret: WHSEC, headers: sign(WHSEC, form), rawBody: Buffer.from(form) }), {
      ok: true,
    });
  });

  test("verifies exactly what the official library verifies", () => {
    const headers = sign(WHSEC, body);
    assert.deepEqual(new Webhook(WHSEC).verify(body, headers), JSON.parse(body));
    assert.equal(verifyWebhook({ secret: WHSEC, headers, rawBody: body }).ok, true);
    // A plain text secret is not base64: the library refuses it, so stayopen's configuration does too.
    assert.throws(() => new Webhook("a-plain-replay-secret-0123456789"));
  });

  test("accepts any matching entry among several (secret rotation) and works with a Headers object", () => {
    const headers = sign(WHSEC, body);
    headers["webhook-signature"] = `v1,${randomBytes(32).toString("base64")} ${headers["webhook-signature"]}`;
    assert.equal(verifyWebhook({ secret: WHSEC, headers: new Headers(headers), rawBody: body }).ok, true);
  });

  test("rejects a wrong signature, a changed body, another secret and unknown versions", () => {
    const headers = sign(WHSEC, body);
    assert.equal(
      verifyWebhook({ secret: WHSEC, headers, rawBody: body.replace("1}", "9}") }).reason,
      "no_matching_signature",
    );
    assert.equal(
      verifyWebhook({ secret: `whsec_${randomBytes(24).toString("base64")}`, headers, rawBody: body }).ok,
      false,
    );
    const v2 = { ...headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,") };
    assert.equal(verifyWebhook({ secret: WHSEC, headers: v2, rawBody: body }).ok, false);
    const short = { ...headers, "webhook-signature": "v1,AAAA" };
    assert.equal(verifyWebhook({ secret: WHSEC, headers: short, rawBody: body }).ok, false);
  });

  test("rejects timestamps more than 5 minutes off and missing headers", () => {
    const now = Date.now();
    const old = sign(WHSEC, body, { timestamp: Math.floor(now / 1000) - 301 });
    assert.equal(verifyWebhook({ secret: WHSEC, headers: old, rawBody: body }).reason, "timestamp_out_of_tolerance");
    const future = sign(WHSEC, body, { timestamp: Math.floor(now / 1000) + 302 });
    assert.equal(verifyWebhook({ secret: WHSEC, headers: future, rawBody: body }).ok, false);
    const edge = sign(WHSEC, body, { timestamp: Math.floor(now / 1000) - 290 });
    assert.equal(verifyWebhook({ secret: WHSEC, headers: edge, rawBody: body }).ok, true);
    assert.equal(verifyWebhook({ secret: WHSEC, headers: {}, rawBody: body }).reason, "missing_signature_headers");
  });
});

describe("signed replays against the shop", { timeout: 60_000 }, () => {
  let shop;
  let dataDir;
  before(async () => {
    dataDir = makeDataDir();
    shop = await startShop({ dataDir, env: { REPLAY_SECRET: WHSEC } });
  });
  after(async () => {
    await shop?.stop();
    removeDataDir(dataDir);
  });

  const body = JSON.stringify({ sku: "TEA-ROOI-100", qty: 2, name: "C", email: "c@example.com", address: "y" });

  test("a correctly signed replay is accepted and recorded as verified", TIMEOUT, async () => {
    const res = await postOrder(shop.shop, body, {
      ...sign(WHSEC, body),
      "idempotency-key": "signed-1",
      "x-stayopen-reference": "ref-signed",
      "x-stayopen-queued-at": new Date().toISOString(),
    });
    assert.equal(res.status, 201);
    const stored = await (await get(`${shop.shop}/api/orders/${(await res.json()).orderId}`)).json();
    assert.equal(stored.replayed, true);
    assert.equal(stored.signatureVerified, true);
  });

  test("a correctly signed form replay is accepted and recorded as verified", TIMEOUT, async () => {
    const form = "sku=TEA-ROOI-100&qty=1&name=Zo%C3%AB&email=z%40example.com&address=x";
    const res = await postOrder(shop.shop, form, {
      ...sign(WHSEC, form),
      "content-type": "application/x-www-form-urlencoded",
      "idempotency-key": "signed-form-1",
      "x-stayopen-reference": "ref-signed-form",
    });
    assert.equal(res.status, 201);
    const stored = await (await get(`${shop.shop}/api/orders/${(await res.json()).orderId}`)).json();
    assert.equal(stored.signatureVerified, true);
  });

  test("a wrong signature is refused with 401 and nothing is stored", TIMEOUT, async () => {
    const before = (await (await get(`${shop.shop}/api/orders`)).json()).orders.length;
    const res = await postOrder(shop.shop, body, {
      ...sign("whsec_" + randomBytes(24).toString("base64"), body),
      "idempotency-key": "signed-2",
      "x-stayopen-reference": "ref-forged",
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, "bad_signature");
    const afterCount = (await (await get(`${shop.shop}/api/orders`)).json()).orders.length;
    assert.equal(afterCount, before);
  });

  test("a replay reference without a signature is refused", TIMEOUT, async () => {
    const res = await postOrder(shop.shop, body, { "x-stayopen-reference": "ref-unsigned" });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, "bad_signature");
  });

  test("ordinary shopper orders need no signature", TIMEOUT, async () => {
    assert.equal((await postOrder(shop.shop, body)).status, 201);
  });
});
