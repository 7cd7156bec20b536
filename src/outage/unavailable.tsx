import type { Context } from "hono";
import { originProblem } from "../config/shop";
import { noticeFor } from "../control/notice";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { feedStored } from "../feed/read";
import { wantsJson } from "../http/negotiate";
import { orderTarget } from "../orders/order-paths";
import { MaintenancePage } from "../shopper/maintenance";
import { renderPage } from "../shopper/render";
import { offlinePages } from "./offline-pages";

/**
 * The honest answer when there is nothing to serve: 503 with Retry-After,
 * never cached; JSON for API clients, the branded page for everyone else.
 * Without a `message` the operator's incident message (if any) is shown.
 */
export async function unavailableResponse(c: Context<AppEnv>, message: string | null = null): Promise<Response> {
  const config = c.get("shop").config;
  const request = c.req.raw;
  const notice = noticeFor(c, message);
  const headers = {
    "retry-after": String(notice.retryAfterS),
    "cache-control": "no-store",
    "x-stayopen-source": "maintenance",
  };
  if (wantsJson(request)) {
    // The contract's shape exactly: {"error":"origin_unavailable","retryAfter":N}, no message.
    return errorResponse(c, problem("origin_unavailable", null, {}, { retryAfter: notice.retryAfterS }), headers);
  }
  if (request.method === "HEAD")
    return new Response(null, { status: 503, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
  const shop = c.get("shop");
  const host = new URL(request.url).host;
  // The page of last resort must not fail itself: storage trouble only leaves out the links.
  const [pages, canOrder] = await Promise.all([
    offlinePages(c.env, shop, host).catch(() => []),
    // Ordering is offered only when the edge checkout has a product list to show.
    orderTarget(config) !== null &&
      !originProblem(config) &&
      feedStored(c.env, shop, host, (promise) => c.executionCtx.waitUntil(promise)).catch(() => false),
  ]);
  return renderPage(
    c,
    <MaintenancePage config={config} pages={pages} notice={notice} canOrder={canOrder} />,
    503,
    headers,
  );
}
