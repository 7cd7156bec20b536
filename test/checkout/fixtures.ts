/** A shop with a product feed on a fake origin, and helpers to post the edge checkout form. */
import { onTestFinished } from "vitest";
import { varsShop } from "../../src/config/shop";
import { queueDepth } from "../../src/orders/queue";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

export type FeedItem = {
  sku: string;
  name: string;
  price: number;
  currency: string;
  stock: number | null;
  url?: string;
  image?: string;
};

/** For tests that post many orders from one client. */
export const NO_LIMIT = { RATE_LIMIT_CHECKOUT_PER_MIN: "100000" };

/** Every order in the shop's queue, whatever its state (the queue is shared by the tests of a file). */
export const totalOrders = async (shop: TestShop) =>
  Object.values(await queueDepth(shop.env, varsShop(shop.env))).reduce((a, b) => a + b, 0);

let counter = 0;
/** Distinct per call: stock objects and snapshots are shared within a test file. */
export const unique = (prefix: string) => `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;

export type TestShop = { origin: FakeOrigin; env: ReturnType<typeof shopEnv>; feedPath: string; ip: string };

/**
 * Called inside a test: the shop's origin stops when the test finishes. The retry base is ten minutes, so
 * no replay starts by itself while a test looks at a queued order (an attempt shows it as `delivering`);
 * a test that wants the replay drains the queue (`drainNow`), as a recovered origin would.
 */
export async function shopWithFeed(products: FeedItem[], vars: Record<string, string> = {}): Promise<TestShop> {
  const origin = await FakeOrigin.start();
  onTestFinished(() => origin.stop());
  const feedPath = `/${unique("feed")}.json`;
  await origin.route(feedPath, { headers: { "content-type": "application/json" }, body: JSON.stringify({ products }) });
  const env = shopEnv({
    ORIGIN_URL: origin.url,
    CATALOG_FEED_URL: feedPath,
    ORIGIN_TIMEOUT_MS: "500",
    BREAKER_FAILURES: "100",
    ORDER_RETRY_BASE_MS: "600000",
    ORDER_RETRY_MAX_MS: "3600000",
    ...vars,
  });
  return { origin, env, feedPath, ip: `203.0.113.${(counter % 250) + 1}` };
}

export function formToken(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

export type CheckoutFields = {
  sku: string;
  qty?: string;
  name?: string;
  email?: string;
  address?: string;
  payment?: string;
  token?: string;
  step?: string;
};

export function checkoutFields(fields: CheckoutFields): Record<string, string> {
  return {
    qty: "1",
    name: "Ada Lovelace",
    email: "ada@example.com",
    address: "12 Analytical Row\nLondon",
    payment: "later",
    token: formToken(),
    ...fields,
  };
}

export function postCheckout(
  shop: TestShop,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return dispatch("https://shop.test/__stayopen/checkout", shop.env, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "text/html",
      "cf-connecting-ip": shop.ip,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Loads the checkout once while the origin answers, which snapshots the feed, then takes the origin down. */
export async function snapshotThenOutage(shop: TestShop, sku: string): Promise<void> {
  const page = await dispatch(`https://shop.test/__stayopen/checkout?sku=${encodeURIComponent(sku)}`, shop.env);
  if (page.status !== 200) throw new Error(`checkout did not render: ${page.status} ${await page.text()}`);
  await page.body?.cancel();
  await shop.origin.setMode({ mode: "refuse" });
}
