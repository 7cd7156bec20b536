import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Shop } from "../../src/config/shop";
import { announceRecovery } from "../../src/recovery/announce";
import { subscriberList } from "../../src/notify/store";
import { ANNOUNCE_BATCH, type RecoveryAnnouncement } from "../../src/notify/subscribers";
import { paymentLedger } from "../../src/payments/store";
import { FakeOrigin, type RecordedRequest } from "../support/origin";
import { shopEnv } from "../support/worker";
import { registeredLike } from "../support/registry";
import { drainNow, enqueueOrder, getOrder } from "../../src/orders/queue";

let receiver: FakeOrigin;
let hookPath: string;

beforeEach(async () => {
  receiver = await FakeOrigin.start();
  hookPath = `/hooks/${crypto.randomUUID()}`;
});
afterEach(() => receiver.stop());

/** A registered shop of its own per test: subscribers and payments are per shop. */
function testShop(vars: Record<string, string> = {}): Promise<Shop> {
  const shopVars = shopEnv({ NOTIFY_WEBHOOK_URL: `${receiver.url}${hookPath}`, ...vars });
  return registeredLike(shopVars, `shop-${crypto.randomUUID().slice(0, 8)}`);
}

/** Verified as a receiver would: the official Standard Webhooks library, given the test REPLAY_SECRET as is. */
function verifySignature(request: RecordedRequest): boolean {
  try {
    new Webhook(env.REPLAY_SECRET!).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}

async function attempts(shop: Shop, atLeast: number): Promise<RecordedRequest[]> {
  for (let i = 0; i < 100; i++) {
    const requests = await receiver.requests(hookPath);
    if (requests.length >= atLeast) return requests;
    await runDurableObjectAlarm(subscriberList(env, shop));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${atLeast} webhook attempts`);
}

describe("recovery announcement", () => {
  it("hands the shop its subscribers and the orders needing a payment link in one signed webhook, retried until 2xx", async () => {
    const shop = await testShop();
    const subscribers = subscriberList(env, shop);
    await subscribers.subscribe("first@example.com");
    await subscribers.subscribe("second@example.com");
    const ledger = paymentLedger(env, shop.id);
    await ledger.open({
      reference: "ref-later",
      method: "later",
      status: "pending_link",
      amount: 1450,
      currency: "EUR",
    });
    await ledger.open({
      reference: "ref-card",
      method: "stripe",
      status: "awaiting_payment",
      amount: 990,
      currency: "EUR",
    });
    await ledger.open({
      reference: "ref-paid",
      method: "stripe",
      status: "awaiting_payment",
      amount: 500,
      currency: "EUR",
    });
    await ledger.sessionStarted("ref-paid", "cs_1", "https://checkout.example/cs_1");
    await ledger.markPaid("ref-paid", { id: "cs_1", amountTotal: 500, currency: "eur" });
    await receiver.route(hookPath, { status: 503, body: "busy" });

    const outcome = await announceRecovery(env, shop);
    expect(outcome).toMatchObject({ status: "scheduled", subscribers: 2, orders: 3 });

    const [failed] = await attempts(shop, 1);
    expect((await subscribers.pending())?.lastError).toBe("status_503");
    await receiver.route(hookPath, { status: 204 });
    // The alarm may also fire by itself: wait until the announcement is settled, not for a count of attempts.
    for (let i = 0; i < 100 && (await subscribers.pending()) !== null; i++) {
      await runDurableObjectAlarm(subscriberList(env, shop));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const delivered = (await receiver.requests(hookPath)).at(-1)!;

    expect(verifySignature(delivered)).toBe(true);
    expect(verifySignature(failed!)).toBe(true);
    expect(delivered.headers["webhook-id"]).toBe(failed!.headers["webhook-id"]);
    expect(delivered.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(delivered.body) as RecoveryAnnouncement;
    expect(body).toMatchObject({
      type: "stayopen.recovered",
      shop: shop.id,
      subscribers: [
        { email: "first@example.com", subscribedAt: expect.any(String) },
        { email: "second@example.com", subscribedAt: expect.any(String) },
      ],
      ordersNeedingPaymentLink: ["ref-later", "ref-card"],
      ordersPaid: ["ref-paid"],
    });
    expect(await subscribers.pending()).toBeNull();
    expect((await subscribers.list()).every((subscriber) => subscriber.announcedAt !== null)).toBe(true);
    expect(await announceRecovery(env, shop)).toEqual({ status: "nothing_to_announce" });
  });

  it("hands over no payment link for an order with an open payment page, or one the shop will never get", async () => {
    const shop = await testShop({ ORIGIN_URL: receiver.url, ORDER_RETRY_BASE_MS: "100" });
    // The shop's answers are set before the orders exist: the queue may send them at once.
    await receiver.route("/api/orders/kept", { status: 503 });
    await receiver.route("/api/orders/dead", { status: 400 });
    const queue = await Promise.all(
      ["kept", "dead"].map((name) =>
        enqueueOrder(env, shop, {
          method: "POST",
          path: `/api/orders/${name}`,
          contentType: "application/json",
          body: `{"order":"${name}"}`,
          idempotencyKey: `recovery-${name}-${crypto.randomUUID()}`,
        }),
      ),
    );
    const [kept, dead] = queue.map((order) => order.reference) as [string, string];
    const ledger = paymentLedger(env, shop.id);
    for (const reference of [kept, dead]) {
      await ledger.open({ reference, method: "later", status: "pending_link", amount: 100, currency: "EUR" });
    }
    await ledger.open({
      reference: "ref-with-page",
      method: "stripe",
      status: "awaiting_payment",
      amount: 100,
      currency: "EUR",
    });
    await ledger.sessionStarted("ref-with-page", "cs_open", "https://checkout.example/cs_open");
    await drainNow(env, shop);
    await expect.poll(async () => (await getOrder(env, shop, dead))?.state, { timeout: 5_000 }).toBe("dead");
    await receiver.route(hookPath, { status: 200 });

    await announceRecovery(env, shop);

    const [sent] = await attempts(shop, 1);
    expect((JSON.parse(sent!.body) as RecoveryAnnouncement).ordersNeedingPaymentLink).toEqual([kept]);
  });

  it("hands over a long list in webhooks of ANNOUNCE_BATCH subscribers, one after the other", async () => {
    const shop = await testShop();
    const list = subscriberList(env, shop);
    await runInDurableObject(list, (_instance, state) => {
      for (let i = 0; i <= ANNOUNCE_BATCH; i++)
        state.storage.sql.exec(
          "INSERT INTO subscribers (email, subscribed_at) VALUES (?, ?)",
          `s${String(i).padStart(5, "0")}@example.com`,
          Date.now() - 60_000 + i,
        );
    });
    await receiver.route(hookPath, { status: 204 });

    expect(await announceRecovery(env, shop)).toMatchObject({ status: "scheduled", subscribers: ANNOUNCE_BATCH });
    const sent = await attempts(shop, 2);
    const sizes = sent.map((request) => (JSON.parse(request.body) as RecoveryAnnouncement).subscribers.length);
    expect(sizes).toEqual([ANNOUNCE_BATCH, 1]);
    expect((await list.list()).every((subscriber) => subscriber.announcedAt !== null)).toBe(true);
  });

  it("sends one webhook per recovery: a second call while it is undelivered changes nothing", async () => {
    const shop = await testShop();
    await subscriberList(env, shop).subscribe("once@example.com");
    await receiver.route(hookPath, { status: 500 });
    const first = await announceRecovery(env, shop);
    expect(first.status).toBe("scheduled");
    const second = await announceRecovery(env, shop);
    expect(second).toEqual({ status: "pending", id: (first as { id: string }).id });
    await attempts(shop, 1);
    await receiver.route(hookPath, { status: 200 });
    const all = await attempts(shop, 2);
    expect(new Set(all.map((request) => request.headers["webhook-id"])).size).toBe(1);
  });

  it("announces someone again who subscribes again after being told", async () => {
    const shop = await testShop();
    const subscribers = subscriberList(env, shop);
    await subscribers.subscribe("again@example.com");
    await receiver.route(hookPath, { status: 200 });
    await announceRecovery(env, shop);
    await attempts(shop, 1);
    expect(await subscribers.subscribe("again@example.com")).toBe("already_subscribed");
    expect(await announceRecovery(env, shop)).toMatchObject({ status: "scheduled", subscribers: 1 });
    const all = await attempts(shop, 2);
    expect((JSON.parse(all[1]!.body) as RecoveryAnnouncement).subscribers.map((s) => s.email)).toEqual([
      "again@example.com",
    ]);
  });

  it("does nothing without NOTIFY_WEBHOOK_URL", async () => {
    const shop = await testShop({ NOTIFY_WEBHOOK_URL: "" });
    await subscriberList(env, shop).subscribe("nobody@example.com");
    expect(await announceRecovery(env, shop)).toEqual({ status: "not_configured" });
  });
});
