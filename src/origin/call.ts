import type { Shop } from "../config/shop";
import { classifyStatus } from "./classify";
import { fetchWithDeadline, toOriginRequest } from "./fetch";
import { originHealth } from "./health";

export type OriginCall =
  /** The origin answered (2xx, 3xx, 4xx, or a 5xx that is not a failure): pass it on untouched. `originUrl` says which one. */
  | { kind: "answered"; response: Response; originUrl: string }
  /** The origin failed; `reason` says how. Any failed response body has been released. */
  | { kind: "failed"; reason: string }
  /** The shared breaker keeps shoppers away (open or half-open): nothing was sent and nobody waited. */
  | { kind: "skipped" };

/**
 * One request to an origin through its breaker, with the deadline, the
 * failure classification and the breaker bookkeeping in one place. `request`
 * may be a function that builds it, so a skipped call costs no copy.
 */
export async function callOrigin(
  shop: Shop,
  request: Request | (() => Request),
  originUrl = shop.config.originUrl,
  extraHeaders?: Record<string, string>,
): Promise<OriginCall> {
  const health = originHealth(shop, originUrl);
  if (!health.admit()) return { kind: "skipped" };

  const upstream = toOriginRequest(typeof request === "function" ? request() : request, originUrl, extraHeaders);
  const attempt = await fetchWithDeadline(upstream, shop.config.originTimeoutMs);
  if (attempt.kind === "error") {
    health.failure(attempt.reason, pathOf(upstream));
    return { kind: "failed", reason: attempt.reason };
  }
  const verdict = classifyStatus(attempt.response.status);
  if (!verdict.failed) {
    health.success();
    return { kind: "answered", response: attempt.response, originUrl };
  }
  await attempt.response.body?.cancel();
  health.failure(verdict.reason, pathOf(upstream));
  return { kind: "failed", reason: verdict.reason };
}

/** The path a failure is counted on: without the query, so one search failing for any terms stays one URL. */
const pathOf = (request: Request): string => new URL(request.url).pathname;
