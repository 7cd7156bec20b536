import type { Shop } from "../config/shop";
import type { Source } from "../http/source";
import { callOrigin, type OriginCall } from "./call";
import type { OriginHealthLabel } from "./breaker";
import { originHealth } from "./health";

/**
 * The failover chain: the primary origin, then BACKUP_ORIGINS in their
 * configured order. Each origin has its own breaker, so an origin that is
 * known to be down is passed over at once and nobody waits for it.
 */

/** Catalog reads: every origin, primary first (last while slow start sheds its share to the backups). */
function catalogOrigins(shop: Shop, primaryLast = false): string[] {
  const backups = shop.config.backupOrigins.map((backup) => backup.url);
  return primaryLast ? [...backups, shop.config.originUrl] : [shop.config.originUrl, ...backups];
}

/** Orders: the primary, then only the backups that say `"orders": true` (they share the primary's order store). */
export function orderOrigins(shop: Shop): string[] {
  return [
    shop.config.originUrl,
    ...shop.config.backupOrigins.filter((backup) => backup.orders).map((backup) => backup.url),
  ];
}

/** A backup whose breaker lets shoppers through right now, as this isolate knows it. */
export function hasUsableBackup(shop: Shop): boolean {
  return shop.config.backupOrigins.some((backup) => originHealth(shop, backup.url).admit());
}

/** What X-Stayopen-Source says about an answer: the primary is `origin`, any other origin `backup`. */
export const sourceOf = (shop: Shop, originUrl: string): Extract<Source, "origin" | "backup"> =>
  originUrl === shop.config.originUrl ? "origin" : "backup";

/**
 * Failures where the request never reached the origin, so the next origin may
 * have it without any risk of a duplicate: refused, DNS, and Cloudflare's
 * "could not connect" answers (521 down, 522 connect timeout, 523
 * unreachable, 525/526 TLS handshake). A timeout, a reset or any other 5xx
 * may have come after the origin took the order.
 */
const NOTHING_SENT = new Set(["refused", "dns", "status_521", "status_522", "status_523", "status_525", "status_526"]);

export const nothingSent = (call: OriginCall): boolean =>
  call.kind === "skipped" || (call.kind === "failed" && NOTHING_SENT.has(call.reason));

/**
 * Asks each origin in turn until one answers. `moveOn` decides whether an
 * origin that did not answer hands the request to the next one. Without an
 * answer the result is the first failure (what went wrong with the preferred
 * origin), or `skipped` when every breaker kept the request away.
 */
export async function callInOrder(
  origins: readonly string[],
  attempt: (originUrl: string) => Promise<OriginCall>,
  moveOn: (call: OriginCall) => boolean = () => true,
): Promise<OriginCall> {
  let outcome: OriginCall = { kind: "skipped" };
  for (const originUrl of origins) {
    const call = await attempt(originUrl);
    if (call.kind === "answered") return call;
    if (outcome.kind === "skipped") outcome = call;
    if (!moveOn(call)) break;
  }
  return outcome;
}

/** A catalog read (GET/HEAD) down the chain: any origin that does not answer hands it to the next. */
export function callCatalogOrigins(shop: Shop, request: Request, primaryLast = false): Promise<OriginCall> {
  return callInOrder(catalogOrigins(shop, primaryLast), (originUrl) => callOrigin(shop, request, originUrl));
}

/**
 * The shop as shoppers meet it (the public status's `origin`): up while
 * shoppers are sent to the primary (failures being counted do not make it
 * less so: they may be one URL's), degraded while the primary is down and a
 * backup origin still answers, down only when no origin answers.
 */
export function shopperFacingState(primary: OriginHealthLabel, backups: OriginHealthLabel[]): OriginHealthLabel {
  if (primary !== "down") return "up";
  return backups.some((backup) => backup !== "down") ? "degraded" : "down";
}
