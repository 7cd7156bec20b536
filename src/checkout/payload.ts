import type { FeedProduct } from "../feed/schema";
import type { PaymentMethod, PaymentStatus } from "../payments/provider";

/**
 * The order the shop receives for an edge checkout: the same queue, method,
 * path and replay headers as an order posted to ORDER_PATHS, with a JSON body
 * the origin can check against its own data. Prices and stock are the feed
 * snapshot's, as of `priceAsOf`/`stockAsOf`; the shop re-checks both.
 */
export type EdgeOrder = {
  items: { sku: string; name: string; qty: number; price: number; currency: string }[];
  total: number;
  currency: string;
  customer: { name: string; email: string; address: string };
  payment: { method: PaymentMethod; status: PaymentStatus };
  source: "stayopen-edge-checkout";
  priceAsOf: string;
  stockAsOf: string;
};

export function edgeOrder(
  product: FeedProduct,
  qty: number,
  customer: EdgeOrder["customer"],
  payment: EdgeOrder["payment"],
  feedStoredAt: number,
): EdgeOrder {
  const asOf = new Date(feedStoredAt).toISOString();
  return {
    items: [{ sku: product.sku, name: product.name, qty, price: product.price, currency: product.currency }],
    total: product.price * qty,
    currency: product.currency,
    customer,
    payment,
    source: "stayopen-edge-checkout",
    priceAsOf: asOf,
    stockAsOf: asOf,
  };
}
