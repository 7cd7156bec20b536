import type { Env } from "../config/env";
import { storageKey } from "./key";
import type { Config } from "../config/schema";

/**
 * Why a page has no snapshot: the rule that last stopped it (`set_cookie:sid`,
 * `private`, `cdn_cache_control:no-store` …), kept per page in KV by the cron
 * pre-warm so the readiness report and the drill can name it. Written only
 * when the rule changes or the record grows old, so a page refused on every
 * run costs a read, not a write.
 */

export type Refusal = { rule: string; at: number };

const TTL_S = 3 * 86_400;
const REWRITE_AFTER_MS = 86_400_000;

/** Beside the snapshot's own key (which storageKey keeps under 480 bytes), outside its `snap:` prefix. */
const refusalKey = async (shopId: string, normalized: string) => `refused:${await storageKey(shopId, normalized)}`;

export async function noteRefusal(
  env: Env,
  shopId: string,
  normalized: string,
  rule: string,
  now = Date.now(),
): Promise<void> {
  const key = await refusalKey(shopId, normalized);
  const known = await env.SNAPSHOTS.getWithMetadata<{ at: number }>(key, "text");
  if (known.value === rule && known.metadata && now - known.metadata.at < REWRITE_AFTER_MS) return;
  await env.SNAPSHOTS.put(key, rule, { metadata: { at: now }, expirationTtl: TTL_S });
}

export async function refusalOf(env: Env, shopId: string, normalized: string): Promise<Refusal | null> {
  const { value, metadata } = await env.SNAPSHOTS.getWithMetadata<{ at: number }>(
    await refusalKey(shopId, normalized),
    "text",
  );
  return value && metadata ? { rule: value, at: metadata.at } : null;
}

/**
 * When every refused page was stopped by the same Set-Cookie (the session a
 * storefront hands each new visitor), the one change that stores them all:
 * set ANONYMOUS_COOKIES to those names. Null otherwise.
 */
export function anonymousCookieHint(rules: readonly string[], config: Pick<Config, "anonymousCookies">): string | null {
  const first = rules[0];
  if (!first?.startsWith("set_cookie:") || rules.some((rule) => rule !== first)) return null;
  const names = [...new Set([...config.anonymousCookies, ...first.slice("set_cookie:".length).split(",")])];
  return (
    `Every page that could not be stored sets the cookie ${first.slice("set_cookie:".length)} for a visitor without one ` +
    `(the session a storefront hands every new visitor): set ANONYMOUS_COOKIES=${names.join(",")} so these pages are ` +
    "stored without it; a request that sends it back is still never stored. See docs/storefront-snapshots.md."
  );
}
