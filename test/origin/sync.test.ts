import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { shopControl } from "../../src/control/controls";
import { subscriberList } from "../../src/notify/store";
import { forgetOriginHealth } from "../../src/origin/health";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";

const TOKEN = "test-admin-token-0123456789";
let origin: FakeOrigin;
let receiver: FakeOrigin;
let hookPath: string;
let env: Env;

beforeEach(async () => {
  [origin, receiver] = await Promise.all([FakeOrigin.start(), FakeOrigin.start()]);
  hookPath = `/hooks/${crypto.randomUUID()}`;
  env = shopEnv({
    ORIGIN_URL: origin.url,
    NOTIFY_WEBHOOK_URL: `${receiver.url}${hookPath}`,
    BREAKER_FAILURES: "1",
    BREAKER_COOLDOWN_MS: "600000",
    BREAKER_SYNC_MS: "100",
  });
});
afterEach(async () => {
  forgetOriginHealth();
  await Promise.all([origin.stop(), receiver.stop()]);
});

const admin = (path: string, body: unknown) =>
  dispatch(`https://shop.test/__stayopen/admin/${path}`, env, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });

async function subscribe(email: string): Promise<void> {
  const response = await dispatch("https://shop.test/__stayopen/notify", env, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email }),
  });
  expect(response.status).toBe(202);
}

const subscribers = () => subscriberList(env, varsShop(env));

/** What reached the shop once the subscriber list's alarm (run here, or already by the runtime) has sent it. */
async function announcementsSent(): Promise<string[]> {
  await runDurableObjectAlarm(subscribers());
  await expect.poll(async () => (await receiver.requests(hookPath)).length, { timeout: 3_000 }).toBeGreaterThan(0);
  return (await receiver.requests(hookPath)).map((request) => request.body);
}

describe("telling subscribers the shop is back", () => {
  it("waits while the origin is still down when the operator ends maintenance, so they hear it when it is true", async () => {
    await origin.setMode({ mode: "refuse" });
    await (await dispatch("https://shop.test/p/opens-the-breaker", env)).text();
    await subscribe("waiting@example.com");

    expect((await admin("maintenance", { on: true, message: "Stocktaking" })).status).toBe(200);
    expect((await admin("maintenance", { on: false })).status).toBe(200);

    // Nothing was even scheduled to be sent.
    expect(await subscribers().pending()).toBeNull();
    expect(await receiver.requests(hookPath)).toEqual([]);
    const status = await (await dispatch("https://shop.test/__stayopen/status.json", env)).json();
    expect(status).toMatchObject({ origin: "down", mode: "auto" });
  });

  it("asks the origin itself when maintenance ends: it may have gone down meanwhile unnoticed", async () => {
    await subscribe("unnoticed@example.com");
    await admin("maintenance", { on: true, message: "Stocktaking" });
    // Nothing reaches the origin during maintenance, so its breaker still says closed.
    await origin.setMode({ mode: "refuse" });
    await admin("maintenance", { on: false });

    expect(await subscribers().pending()).toBeNull();
    expect(await receiver.requests(hookPath)).toEqual([]);
  });

  it("announces when maintenance ends and the origin answers", async () => {
    await subscribe("back@example.com");

    await admin("maintenance", { on: true, message: "Stocktaking" });
    await admin("maintenance", { on: false });

    const sent = await announcementsSent();
    expect(sent).toHaveLength(1);
    const announcement = JSON.parse(sent[0]!) as { type: string; subscribers: { email: string }[] };
    expect(announcement.type).toBe("stayopen.recovered");
    expect(announcement.subscribers.map((subscriber) => subscriber.email)).toContain("back@example.com");
  });
});

describe("a scheduled maintenance window ending by itself", () => {
  it("sends the held orders and tells subscribers, as when the operator ends it", async () => {
    await subscribe("window@example.com");
    const until = new Date(Date.now() + 1_000).toISOString();
    expect((await admin("maintenance", { on: true, message: "Planned upgrade", until })).status).toBe(200);
    const held = await dispatch("https://shop.test/api/orders", env, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "held-in-window" },
      body: JSON.stringify({ sku: "A", qty: 1 }),
    });
    expect(held.status).toBe(202);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The control object's alarm ends the window (if the runtime has not run it already).
    await runDurableObjectAlarm(shopControl(env, "default"));
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Shopper traffic: the first request refreshes this isolate's copy, the next one welcomes them back.
    for (const path of ["/after-window-1", "/after-window-2"]) await dispatch(`https://shop.test${path}`, env);

    expect((await announcementsSent()).some((body) => body.includes("window@example.com"))).toBe(true);
    await expect.poll(async () => (await origin.requests("/api/orders")).length, { timeout: 3_000 }).toBe(1);
  });
});
