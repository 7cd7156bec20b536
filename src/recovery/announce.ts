import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { log } from "../log";
import { paymentLedger } from "../payments/store";
import type { AnnounceOutcome } from "../notify/subscribers";
import { subscriberList } from "../notify/store";
import { getOrder } from "../orders/queue";

export type RecoveryOutcome = AnnounceOutcome | { status: "not_configured" };

/**
 * Call once when the origin has recovered: hands the shop, in one signed
 * webhook to NOTIFY_WEBHOOK_URL, everyone who asked to be told and every
 * edge order whose payment the shop still has to collect. Delivery happens in
 * the background and is retried until the shop answers 2xx; the shop's own
 * mailer does the talking.
 */
export async function announceRecovery(env: Env, shop: Shop): Promise<RecoveryOutcome> {
  const url = shop.config.notifyWebhookUrl;
  if (!url) {
    log("info", "recovery_announcement_skipped", { shop: shop.id, reason: "NOTIFY_WEBHOOK_URL is not set" });
    return { status: "not_configured" };
  }
  const payments = await paymentLedger(env, shop.id).unannounced();
  return subscriberList(env, shop).announce({
    shop: shop.id,
    url,
    ordersNeedingPaymentLink: await stillComing(env, shop, payments.needingPaymentLink),
    ordersPaid: payments.paid,
  });
}

/**
 * Orders the shop will get: a dead letter, one that needs attention or a discarded order needs no
 * payment link (a retried one is handed over next time). One the queue cannot
 * find is handed over: better a link too many than an order never paid.
 */
async function stillComing(env: Env, shop: Shop, references: string[]): Promise<string[]> {
  const orders = await Promise.all(references.map((reference) => getOrder(env, shop, reference)));
  const stopped = new Set(["dead", "needs_attention", "discarded"]);
  return references.filter((_reference, i) => !stopped.has(orders[i]?.state ?? ""));
}
