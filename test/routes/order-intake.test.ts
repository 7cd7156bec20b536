import { env as testEnv, runDurableObjectAlarm } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { originPerTest, FakeOrigin, type RecordedRequest } from "../support/origin";
import {
  depth,
  isDelivered,
  order,
  orderEnv,
  postOrder,
  queueOrder,
  runAlarmsUntil,
  shardStub,
  shopOf,
} from "../orders/helpers";
import { queueDepth } from "../../src/orders/queue";
import { originMonitor } from "../../src/origin/monitor";

let origin: FakeOrigin;
let env: Env;
originPerTest((started) => {
  origin = started;
  env = orderEnv(started);
});

const body = (sku: string) => JSON.stringify({ items: [{ sku, qty: 1 }], email: "ada@example.com" });

/**
 * Verifies a replay the way a shop backend would: the official Standard
 * Webhooks library, given the test REPLAY_SECRET as is. The library parses a
 * verified payload as JSON unless told not to, so a form body takes `jsonParse: false`.
 */
function expectSigned(request: RecordedRequest) {
  expect(request.headers["webhook-id"]).toBe(request.headers["x-stayopen-reference"]);
  const webhook = new Webhook(testEnv.REPLAY_SECRET!);
  const headers = request.headers;
  if (request.headers["content-type"] === "application/json")
    expect(webhook.verify(request.body, headers)).toEqual(JSON.parse(request.body));
  else expect(() => webhook.verify(request.body, headers, { jsonParse: false })).not.toThrow();
  expect(() => webhook.verify(`${request.body} `, headers, { jsonParse: false })).toThrow("No matching signature");
}

describe("orders while the origin is healthy", () => {
  it("forwards the order with the client's Idempotency-Key and passes the answer through", async () => {
    await origin.route("/orders/healthy", {
      status: 201,
      headers: { "content-type": "application/json" },
      body: '{"orderId":"o-1"}',
    });
    const response = await postOrder(env, "/orders/healthy", body("A"), {
      "idempotency-key": "client-key-1",
      // Only a replay carries these: a client's own never reach the origin.
      "x-stayopen-queued-at": "2020-01-01T00:00:00.000Z",
      "x-stayopen-reference": "00aa",
      "webhook-id": "forged",
      "webhook-timestamp": "1",
      "webhook-signature": "v1,AAAA",
      "x-shop-header": "kept",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-stayopen-source")).toBe("origin");
    expect(await response.json()).toEqual({ orderId: "o-1" });
    const [received] = await origin.requests("/orders/healthy");
    expect(received).toMatchObject({ method: "POST", body: body("A") });
    expect(received!.headers["idempotency-key"]).toBe("client-key-1");
    expect(received!.headers["content-type"]).toBe("application/json");
    expect(received!.headers["x-shop-header"]).toBe("kept");
    for (const name of [
      "x-stayopen-queued-at",
      "x-stayopen-reference",
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
    ])
      expect(received!.headers[name], name).toBeUndefined();
  });

  it("gives a keyless order a key of its own, the same for a browser's double click", async () => {
    const form = "sku=A&qty=1&email=ada%40example.com";
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "text/html,application/xhtml+xml",
      cookie: "session=ada",
    };
    await postOrder(env, "/orders/healthy-keyless", form, headers);
    await postOrder(env, "/orders/healthy-keyless", form, headers);
    const [first, second] = await origin.requests("/orders/healthy-keyless");
    expect(first!.headers["idempotency-key"]).toMatch(/^stayopen-[0-9a-f]{32}$/);
    expect(second!.headers["idempotency-key"]).toBe(first!.headers["idempotency-key"]);
  });

  it("keeps identical keyless API orders apart: each is an order of its own", async () => {
    for (let i = 0; i < 2; i++) expect((await postOrder(env, "/orders/healthy-api", body("same"))).status).toBe(200);
    const [first, second] = await origin.requests("/orders/healthy-api");
    expect(first!.headers["idempotency-key"]).toMatch(/^stayopen-/);
    expect(second!.headers["idempotency-key"]).not.toBe(first!.headers["idempotency-key"]);
  });

  it("passes the origin's own refusal through untouched", async () => {
    await origin.route("/orders/refused-by-shop", {
      status: 422,
      headers: { "content-type": "application/json" },
      body: '{"error":"out_of_stock"}',
    });
    const before = await depth(env);
    const response = await postOrder(env, "/orders/refused-by-shop", body("A"));
    expect(response.status).toBe(422);
    expect(response.headers.get("x-stayopen-source")).toBe("origin");
    expect(await response.json()).toEqual({ error: "out_of_stock" });
    expect(await depth(env)).toEqual(before);
  });

  it("leaves requests to other paths and methods alone", async () => {
    const response = await postOrder(env, "/cart/add", "sku=A", { "content-type": "text/plain" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stayopen-source")).toBe("origin");
  });
});

describe("orders while the origin is down", () => {
  it("queues while the origin refuses and delivers once, signed, after it recovers", async () => {
    await origin.setMode({ mode: "refuse" });
    const response = await postOrder(env, "/orders/refuse", body("A"), { "idempotency-key": "refuse-key-1" });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-stayopen-source")).toBe("queued");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const accepted = (await response.json()) as { reference: string; statusUrl: string };
    expect(accepted).toEqual({
      status: "queued",
      reference: expect.stringMatching(/^[0-9a-f]{34}$/),
      statusUrl: `/__stayopen/orders/${accepted.reference}`,
    });
    expect(response.headers.get("location")).toBe(accepted.statusUrl);
    expect(await order(env, accepted.reference)).toMatchObject({
      state: "queued",
      attempts: 0,
      path: "/orders/refuse",
    });

    await origin.setMode({ mode: "ok" });
    const delivered = await runAlarmsUntil(env, accepted.reference, isDelivered);
    expect(delivered).toMatchObject({ state: "delivered", attempts: 1, lastError: null });
    expect(Date.parse(delivered.deliveredAt!)).toBeGreaterThanOrEqual(Date.parse(delivered.queuedAt));

    await runDurableObjectAlarm(shardStub(env, accepted.reference));
    const received = await origin.requests("/orders/refuse");
    expect(received).toHaveLength(1);
    const [replay] = received;
    expect(replay).toMatchObject({ method: "POST", body: body("A") });
    expect(replay!.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": "refuse-key-1",
      "x-stayopen-reference": accepted.reference,
      "x-stayopen-queued-at": delivered.queuedAt,
    });
    expectSigned(replay!);
  });

  it("replays a form order with a signature the official Standard Webhooks library verifies", async () => {
    await origin.setMode({ mode: "refuse" });
    const form = "sku=A&qty=1&name=Zo%C3%AB+M%C3%BCller&email=zoe%40example.com";
    const accepted = await queueOrder(env, "/orders/refuse-form", form, {
      "content-type": "application/x-www-form-urlencoded",
    });
    await origin.setMode({ mode: "ok" });
    await runAlarmsUntil(env, accepted.reference, isDelivered);
    const [replay] = await origin.requests("/orders/refuse-form");
    expect(replay).toMatchObject({ body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expectSigned(replay!);
  });

  it("queues when the origin does not answer in time, and replays with the key the first attempt carried", async () => {
    await origin.setMode({ mode: "hang" });
    const accepted = await queueOrder(env, "/orders/timeout", body("B"));
    await origin.setMode({ mode: "ok" });
    await runAlarmsUntil(env, accepted.reference, isDelivered);
    const [forwarded, replayed] = await origin.requests("/orders/timeout");
    expect(forwarded!.headers["idempotency-key"]).toMatch(/^stayopen-/);
    expect(replayed!.headers["idempotency-key"]).toBe(forwarded!.headers["idempotency-key"]);
    expect(replayed!.body).toBe(body("B"));
  });

  it("queues when the origin answers 503, keeping method, path, query and content type", async () => {
    await origin.setMode({ mode: "status", status: 503 });
    const form = "sku=C&qty=2";
    const response = await postOrder(
      env,
      "/orders/unavailable?channel=web",
      form,
      { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
      "PUT",
    );
    expect(response.status).toBe(202);
    const { reference } = (await response.json()) as { reference: string };
    await origin.setMode({ mode: "ok" });
    await runAlarmsUntil(env, reference, isDelivered);
    const received = await origin.requests("/orders/unavailable?channel=web");
    expect(received).toHaveLength(2);
    expect(received[1]).toMatchObject({ method: "PUT", body: form });
    expect(received[1]!.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=UTF-8");
  });

  it("queues without waiting while the breaker is open", async () => {
    const breakerEnv = orderEnv(origin, {
      ORIGIN_TIMEOUT_MS: "1000",
      BREAKER_FAILURES: "1",
      BREAKER_COOLDOWN_MS: "60000",
    });
    await origin.setMode({ mode: "hang" });
    await queueOrder(breakerEnv, "/orders/breaker", body("D"));
    const started = Date.now();
    const second = await postOrder(breakerEnv, "/orders/breaker", body("E"));
    expect(second.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(500);
    expect(await origin.requests("/orders/breaker")).toHaveLength(1);
  });

  it("replays what it queued as soon as the origin answers an order again, without waiting out the backoff", async () => {
    // Only the order path fails; the health probe passes, so the breaker stays closed and no probe closing
    // it wakes the queue: the order the origin answers is the only sign that orders go through again.
    await origin.route("/orders/recovery", { status: 503, body: "<h1>busy</h1>" });
    const { reference } = await queueOrder(env, "/orders/recovery", body("A"));
    await origin.route("/orders/recovery", { status: 201, body: "{}" });
    const live = await postOrder(env, "/orders/recovery-live", body("B"));
    expect(live.headers.get("x-stayopen-source")).toBe("origin");
    // No alarm is run by hand here: the order must go out on its own, long before the 10-minute backoff.
    for (let poll = 0; poll < 100 && (await order(env, reference)).state !== "delivered"; poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await order(env, reference)).toMatchObject({ state: "delivered" });
    // The forward that got the 503, then exactly one replay.
    const received = await origin.requests("/orders/recovery");
    expect(received).toHaveLength(2);
    expect(received[1]!.headers["x-stayopen-reference"]).toBe(reference);
  });

  it("shows a browser posting a form a confirmation page", async () => {
    await origin.setMode({ mode: "refuse" });
    const response = await postOrder(env, "/orders/form", "sku=A&qty=1&name=Ada", {
      "content-type": "application/x-www-form-urlencoded",
      accept: "text/html,application/xhtml+xml,*/*;q=0.8",
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("x-stayopen-source")).toBe("queued");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const location = response.headers.get("location")!;
    const html = await response.text();
    expect(html).toContain("we have your order");
    expect(html).toContain(`href="${location}"`);
    expect(html).toContain("What happens next");
    expect(html).toContain("mailto:help@harbour-coffee.example");
    expect(html).not.toContain("<script");
  });
});

describe("duplicate submissions", () => {
  it("answers the same key and body with the same order, delivered once", async () => {
    await origin.setMode({ mode: "refuse" });
    const headers = { "idempotency-key": "dup-key-1" };
    const first = await queueOrder(env, "/orders/duplicate", body("A"), headers);
    const second = await queueOrder(env, "/orders/duplicate", body("A"), headers);
    expect(second).toEqual(first);
    await origin.setMode({ mode: "ok" });
    await runAlarmsUntil(env, first.reference, isDelivered);
    await runDurableObjectAlarm(shardStub(env, first.reference));

    await origin.setMode({ mode: "refuse" });
    const afterDelivery = await queueOrder(env, "/orders/duplicate", body("A"), headers);
    expect(afterDelivery.reference).toBe(first.reference);
    expect(await order(env, first.reference)).toMatchObject({ state: "delivered" });
    await origin.setMode({ mode: "ok" });
    await runDurableObjectAlarm(shardStub(env, first.reference));
    expect(await origin.requests("/orders/duplicate")).toHaveLength(1);
  });

  it("answers a key it queued during the outage from the queue after the origin is back, too", async () => {
    // The outage opens the breaker (the health probe fails too); the origin is back once a probe closes it.
    const recovering = orderEnv(origin, { BREAKER_COOLDOWN_MS: "300", BREAKER_SYNC_MS: "100" });
    await origin.setMode({ mode: "refuse" });
    const headers = { "idempotency-key": "after-recovery-1" };
    const first = await queueOrder(recovering, "/orders/after-recovery", body("A"), headers);
    await origin.setMode({ mode: "ok" });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await runDurableObjectAlarm(originMonitor(recovering, "default", origin.url))).toBe(true);
    // The recovery drains the queue: the order reaches the origin once, as its replay.
    await runAlarmsUntil(recovering, first.reference, isDelivered);
    const replayed = await origin.requests("/orders/after-recovery");
    expect(replayed).toHaveLength(1);
    expect(replayed[0]!.headers["x-stayopen-reference"]).toBe(first.reference);

    const again = await postOrder(recovering, "/orders/after-recovery", body("A"), headers);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ status: "queued", reference: first.reference });
    const other = await postOrder(recovering, "/orders/after-recovery", body("B"), headers);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: "idempotency_key_reused" });
    expect(await origin.requests("/orders/after-recovery")).toEqual(replayed);

    // A key the edge never queued is the origin's to dedupe.
    const fresh = await postOrder(recovering, "/orders/after-recovery", body("C"), {
      "idempotency-key": "never-queued-1",
    });
    expect(fresh.headers.get("x-stayopen-source")).toBe("origin");
    const received = await origin.requests("/orders/after-recovery");
    expect(received).toHaveLength(2);
    expect(received[1]!.headers["idempotency-key"]).toBe("never-queued-1");
  });

  it("refuses the same key with a different body and stores nothing", async () => {
    await origin.setMode({ mode: "refuse" });
    await queueOrder(env, "/orders/key-reuse", body("A"), { "idempotency-key": "reuse-key-1" });
    const before = await depth(env);
    const response = await postOrder(env, "/orders/key-reuse", body("B"), { "idempotency-key": "reuse-key-1" });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "idempotency_key_reused" });
    expect(await depth(env)).toEqual(before);
  });

  it("refuses the same key with the same bytes as another content type", async () => {
    await origin.setMode({ mode: "refuse" });
    const bytes = '{"sku":"A"}';
    const first = await queueOrder(env, "/orders/key-kind", bytes, { "idempotency-key": "kind-key-1" });
    const before = await depth(env);
    const asForm = await postOrder(env, "/orders/key-kind", bytes, {
      "idempotency-key": "kind-key-1",
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(asForm.status).toBe(422);
    expect(await asForm.json()).toMatchObject({ error: "idempotency_key_reused" });
    expect(await depth(env)).toEqual(before);
    // A charset parameter does not make it another request.
    const withCharset = await queueOrder(env, "/orders/key-kind", bytes, {
      "idempotency-key": "kind-key-1",
      "content-type": "application/json; charset=utf-8",
    });
    expect(withCharset.reference).toBe(first.reference);
    expect(await depth(env)).toEqual(before);
  });

  it("turns a double-clicked form into one order, but keeps two shoppers' identical forms apart", async () => {
    await origin.setMode({ mode: "refuse" });
    const form = "sku=A&qty=1";
    // A browser posting a form gets a page; the order's status URL is in Location.
    const post = async (cookie: string) => {
      const headers = { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie };
      const response = await postOrder(env, "/orders/double-click", form, headers);
      expect(response.status).toBe(202);
      return response.headers.get("location");
    };
    const ada = await post("session=ada");
    expect(ada).toMatch(/^\/__stayopen\/orders\//);
    expect(await post("session=ada")).toBe(ada);
    expect(await post("session=bob")).not.toBe(ada);
  });

  it("queues identical keyless API orders as separate orders, each delivered", async () => {
    await origin.setMode({ mode: "refuse" });
    const first = await queueOrder(env, "/orders/identical", body("same"));
    const second = await queueOrder(env, "/orders/identical", body("same"));
    expect(second.reference).not.toBe(first.reference);
  });
});

describe("bad orders change nothing", () => {
  beforeEach(() => origin.setMode({ mode: "refuse" }));

  async function expectRefused(response: Response, status: number, error: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    expect(await response.json()).toMatchObject({ error, message: expect.any(String) });
  }

  it("refuses an oversized body, even chunked without Content-Length or with a false one", async () => {
    const small = orderEnv(origin, { ORDER_MAX_BYTES: "1024" });
    const before = await depth(small);
    const big = JSON.stringify({ note: "x".repeat(4000) });
    await expectRefused(await postOrder(small, "/orders/too-big", big), 413, "payload_too_large");

    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(`"${"y".repeat(500)}",`));
        controller.close();
      },
    });
    await expectRefused(await postOrder(small, "/orders/too-big", chunked), 413, "payload_too_large");

    await expectRefused(
      await postOrder(small, "/orders/too-big", new Blob([big]).stream(), { "content-length": "10" }),
      413,
      "payload_too_large",
    );

    expect(await depth(small)).toEqual(before);
    expect(await origin.requests("/orders/too-big")).toHaveLength(0);
  });

  it("refuses other content types, malformed JSON, empty bodies and bad keys", async () => {
    const before = await depth(env);
    await expectRefused(
      await postOrder(env, "/orders/bad", "hello", { "content-type": "text/plain" }),
      415,
      "unsupported_media_type",
    );
    await expectRefused(
      await postOrder(env, "/orders/bad", "--x\r\n", { "content-type": "multipart/form-data; boundary=x" }),
      415,
      "unsupported_media_type",
    );
    await expectRefused(await postOrder(env, "/orders/bad", '{"items": ['), 400, "invalid_json");
    await expectRefused(await postOrder(env, "/orders/bad", ""), 400, "empty_body");
    await expectRefused(
      await postOrder(env, "/orders/bad", body("A"), { "idempotency-key": "x".repeat(300) }),
      400,
      "invalid_idempotency_key",
    );
    expect(await depth(env)).toEqual(before);
  });

  it("refuses to hold an order with a card number", async () => {
    const before = await depth(env);
    const card = JSON.stringify({ items: [{ sku: "A", qty: 1 }], card: "4242 4242 4242 4242" });
    await expectRefused(await postOrder(env, "/orders/card", card), 422, "card_data_refused");
    const form = "sku=A&card=5555-5555-5555-4444";
    await expectRefused(
      await postOrder(env, "/orders/card", form, { "content-type": "application/x-www-form-urlencoded" }),
      422,
      "card_data_refused",
    );
    expect(await depth(env)).toEqual(before);
  });

  it("refuses a card number while the origin is healthy too, and the origin never sees it", async () => {
    await origin.setMode({ mode: "ok" });
    const card = JSON.stringify({ items: [{ sku: "A", qty: 1 }], card: "4242 4242 4242 4242" });
    await expectRefused(await postOrder(env, "/orders/card-healthy", card), 422, "card_data_refused");
    expect(await origin.requests("/orders/card-healthy")).toHaveLength(0);
  });

  it("refuses a card number in the query string, which would be stored with the order's path", async () => {
    const before = await depth(env);
    await expectRefused(
      await postOrder(env, "/orders/card-query?cc=4111111111111111", body("Q")),
      422,
      "card_data_refused",
    );
    expect(await depth(env)).toEqual(before);
  });

  /** Card data the edge must refuse, whether the origin is down (it would be queued) or up (it would be forwarded). */
  async function expectNeitherQueuedNorForwarded(
    path: string,
    send: () => Promise<Response>,
    status = 422,
    error = "card_data_refused",
  ) {
    for (const mode of [{ mode: "refuse" }, { mode: "ok" }] as const) {
      await origin.setMode(mode);
      const before = await depth(env);
      await expectRefused(await send(), status, error);
      expect(await depth(env), mode.mode).toEqual(before);
    }
    expect(await origin.requests(path)).toHaveLength(0);
  }

  const nestedIn = (levels: number, value: string) =>
    `{"items":${"[".repeat(levels - 1)}${value}${"]".repeat(levels - 1)}}`;
  const arabicIndic = (digits: string) =>
    digits.replace(/\d/g, (digit) => String.fromCodePoint(0x0660 + Number(digit)));
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it("refuses a body nested deeper than ORDER_MAX_DEPTH with 400, card number or not", async () => {
    const bodies = {
      "/orders/card-deep": nestedIn(5000, '"\\u0034111 1111 1111 1111"'),
      "/orders/too-deep": nestedIn(65, '"no card"'),
    };
    for (const [path, deep] of Object.entries(bodies))
      await expectNeitherQueuedNorForwarded(path, () => postOrder(env, path, deep), 400, "body_too_deep");
  });

  it("refuses an escaped card number at the depth limit, and deeper where ORDER_MAX_DEPTH allows more", async () => {
    await expectNeitherQueuedNorForwarded("/orders/card-depth-64", () =>
      postOrder(env, "/orders/card-depth-64", nestedIn(64, '"\\u0034111 1111 1111 1111"')),
    );
    const deeper = orderEnv(origin, { ORDER_MAX_DEPTH: "300" });
    await origin.setMode({ mode: "refuse" });
    const before = await depth(deeper);
    await expectRefused(
      await postOrder(deeper, "/orders/card-depth-300", nestedIn(299, '{"\\u0035555 5555 5555 4444":1}')),
      422,
      "card_data_refused",
    );
    expect(await depth(deeper)).toEqual(before);
  });

  it("refuses card numbers written in other digit scripts, in JSON and in forms", async () => {
    const json = JSON.stringify({ items: [{ sku: "A", qty: 1 }], note: arabicIndic("4111 1111 1111 1111") });
    await expectNeitherQueuedNorForwarded("/orders/card-arabic", () => postOrder(env, "/orders/card-arabic", json));
    const formBody = `sku=A&note=${encodeURIComponent(arabicIndic("5555-5555-5555-4444"))}`;
    await expectNeitherQueuedNorForwarded("/orders/card-arabic-form", () =>
      postOrder(env, "/orders/card-arabic-form", formBody, form),
    );
  });

  it("refuses card numbers in member names, as JSON numbers and in percent-escaped form fields", async () => {
    await expectNeitherQueuedNorForwarded("/orders/card-name", () =>
      postOrder(env, "/orders/card-name", '{"items":[{"sku":"A"}],"4111111111111111":"x"}'),
    );
    await expectNeitherQueuedNorForwarded("/orders/card-number", () =>
      postOrder(env, "/orders/card-number", '{"items":[{"sku":"A"}],"pan":4111111111111111}'),
    );
    await expectNeitherQueuedNorForwarded("/orders/card-form", () =>
      postOrder(env, "/orders/card-form", "sku=A&pan=%34111+1111+1111+1111", form),
    );
  });

  it("takes an order whose SKU, phone number and timestamp pass Luhn: they are not card numbers", async () => {
    // 4222222222222 is a 13-digit Visa test number, here an EAN; 1718000000006 a millisecond timestamp.
    const json = JSON.stringify({
      items: [{ sku: "4222222222222", ean: "4222222222222", qty: 1 }],
      phone: "+378282246310005",
      at: 1718000000006,
    });
    const formBody = "items[0][sku]=4222222222222&items[0][qty]=1&phone=%2B378282246310005";
    // Forwarded while the origin is up (first: a refused order would open the breaker for the rest of the test)…
    await origin.setMode({ mode: "ok" });
    expect((await postOrder(env, "/orders/not-cards", json)).status).toBe(200);
    expect(await origin.requests("/orders/not-cards")).toMatchObject([{ body: json }]);
    // …and queued while it is down.
    await origin.setMode({ mode: "refuse" });
    expect((await postOrder(env, "/orders/not-cards", json)).status).toBe(202);
    expect((await postOrder(env, "/orders/not-cards-form", formBody, form)).status).toBe(202);
  });
});

describe("abuse limits", () => {
  it("answers 429 with Retry-After once one client sends too many orders, and stores nothing more", async () => {
    const limited = orderEnv(origin, { RATE_LIMIT_ORDERS_PER_MIN: "2", BREAKER_FAILURES: "1" });
    await origin.setMode({ mode: "refuse" });
    // The first failure opens the breaker; from then on no origin can have an order, so the limit counts.
    await queueOrder(limited, "/orders/limited", body("L0"), { "cf-connecting-ip": "198.51.100.6" });
    const client = { "cf-connecting-ip": "198.51.100.7" };
    for (const sku of ["L1", "L2"])
      expect((await postOrder(limited, "/orders/limited", body(sku), client)).status).toBe(202);
    const before = await queueDepth(limited, shopOf(limited));

    const refused = await postOrder(limited, "/orders/limited", body("L3"), client);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: "rate_limited" });
    expect(await queueDepth(limited, shopOf(limited))).toEqual(before);

    const otherClient = await postOrder(limited, "/orders/limited", body("L4"), { "cf-connecting-ip": "198.51.100.8" });
    expect(otherClient.status).toBe(202);
  });

  it("lets one client's concurrent orders use its whole allowance: refused at the limit, not before", async () => {
    const limited = orderEnv(origin, { RATE_LIMIT_ORDERS_PER_MIN: "40", BREAKER_FAILURES: "1" });
    await origin.setMode({ mode: "refuse" });
    await queueOrder(limited, "/orders/limit-crowd", body("C0"), { "cf-connecting-ip": "198.51.100.20" });
    const client = { "cf-connecting-ip": "198.51.100.21" };
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const response = await postOrder(limited, "/orders/limit-crowd", body(`C${i + 1}`), client);
        await response.body?.cancel();
        return response.status;
      }),
    );
    expect(statuses.filter((status) => status === 202)).toHaveLength(40);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });

  it("never counts orders a healthy origin answers, and never refuses one an origin may already have", async () => {
    const limited = orderEnv(origin, { RATE_LIMIT_ORDERS_PER_MIN: "1" });
    const client = { "cf-connecting-ip": "198.51.100.9" };
    for (const sku of ["H1", "H2", "H3"])
      expect((await postOrder(limited, "/orders/limit-healthy", body(sku), client)).status).toBe(200);

    // A 502 may come after the origin took the order: it is held under its key, whatever the count. Only the
    // order path fails (the health probe passes, so the breaker stays closed and every order is sent).
    await origin.route("/orders/limit-ambiguous", { status: 502, body: "<h1>bad gateway</h1>" });
    for (const sku of ["A1", "A2", "A3"])
      expect((await postOrder(limited, "/orders/limit-ambiguous", body(sku), client)).status).toBe(202);
    expect(await origin.requests("/orders/limit-ambiguous")).toHaveLength(3);
  });
});
