import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import type { Feed } from "../feed/read";
import type { FeedProduct } from "../feed/schema";
import { paymentProviders } from "../payments/providers";
import { renderPage } from "../shopper/render";
import { availableStock } from "../stock/reserve";
import { checkoutContext } from "./context";
import { newFormToken, quantity } from "./form";
import { CheckoutPage, ProductListPage } from "./pages";
import { checkoutProblem, EDGE_HEADERS, FORM_PAGE_HEADERS } from "./respond";
import { problem } from "../http/errors";

/** The product page the shopper came from (the stale banner's link), if the feed lists it. */
function productFromReferer(request: Request, feed: Feed): FeedProduct | undefined {
  const referer = request.headers.get("referer");
  if (!referer || !URL.canParse(referer)) return undefined;
  const from = new URL(referer);
  if (from.host !== new URL(request.url).host) return undefined;
  for (const product of feed.products.values()) {
    if (product.url && new URL(product.url, from).pathname === from.pathname) return product;
  }
  return undefined;
}

/**
 * GET /__stayopen/checkout?sku=<sku>&qty=<n>: the order form for one product
 * from the feed snapshot; without a sku, the product the shopper came from,
 * else the list of products.
 */
export async function showCheckout(c: Context<AppEnv>): Promise<Response> {
  const context = await checkoutContext(c);
  if (!context.ok) return checkoutProblem(c, context.problem);
  const { feed, shopState } = context;
  const config = c.get("shop").config;

  const sku = c.req.query("sku");
  const product = sku === undefined ? productFromReferer(c.req.raw, feed) : feed.products.get(sku);
  if (sku === undefined && !product) {
    return renderPage(
      c,
      <ProductListPage
        config={config}
        products={[...feed.products.values()]}
        feedStoredAt={feed.storedAt}
        shopState={shopState}
      />,
      200,
      EDGE_HEADERS,
    );
  }
  if (!product) return checkoutProblem(c, { error: problem("unknown_sku"), title: "We couldn't find that product" });

  const qty = quantity.safeParse(c.req.query("qty") ?? "1");
  if (!qty.success) {
    const error = problem("invalid_qty", qty.error.issues[0]!.message);
    return checkoutProblem(c, { error, title: "That quantity doesn't work" });
  }

  const available = await availableStock(c.env, c.get("shop"), product.sku, {
    stock: product.stock,
    stockAsOf: feed.storedAt,
  });
  return renderPage(
    c,
    <CheckoutPage
      config={config}
      product={product}
      feedStoredAt={feed.storedAt}
      available={available}
      shopState={shopState}
      providers={paymentProviders(c.get("shop"))}
      token={newFormToken()}
      values={{ qty: String(qty.data) }}
      errors={{}}
    />,
    200,
    FORM_PAGE_HEADERS,
  );
}
