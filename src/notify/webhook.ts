import type { Env } from "../config/env";
import { fetchWithDeadline } from "../origin/fetch";
import { webhookHeaders } from "../http/signature";
import { shopById } from "../config/shops";

const DELIVERY_TIMEOUT_MS = 10_000;

export type WebhookAttempt = { ok: true } | { ok: false; error: string };

/**
 * One attempt at a webhook to the shop (NOTIFY_WEBHOOK_URL): a JSON POST,
 * signed with the shop's own REPLAY_SECRET as Standard Webhooks when it is
 * set. Signed at every attempt, since receivers reject timestamps older than
 * a few minutes; the id stays, so they can dedupe.
 */
export async function postWebhook(
  env: Env,
  shopId: string,
  url: string,
  id: string,
  body: string,
): Promise<WebhookAttempt> {
  const shop = await shopById(env, shopId);
  // Not signed with another shop's secret, nor sent unsigned: tried again later.
  if (!shop) return { ok: false, error: "shop_unknown" };
  // Its REPLAY_SECRET is stored but does not open (PLATFORM_TOKEN rotated): not unsigned either, until it is PUT again.
  if (shop.unopenedSecrets.includes("REPLAY_SECRET")) return { ok: false, error: "replay_secret_unreadable" };
  const secret = shop.config.replaySecret;
  const signature = secret ? await webhookHeaders(secret, id, body, Date.now()) : {};
  const attempt = await fetchWithDeadline(
    new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "stayopen", ...signature },
      body,
    }),
    DELIVERY_TIMEOUT_MS,
  );
  if (attempt.kind !== "response") return { ok: false, error: attempt.reason };
  await attempt.response.body?.cancel();
  return attempt.response.ok ? { ok: true } : { ok: false, error: `status_${attempt.response.status}` };
}
