import { z } from "zod";

/**
 * The product feed (CATALOG_FEED_URL) the edge checkout sells from:
 * `{"products":[{"sku","name","price","currency","stock","url","image"}]}`.
 * Price is an integer in the currency's minor units; stock null (or absent)
 * means the shop does not track it. One malformed product is skipped, not the
 * whole feed, so a typo in one listing cannot close the edge checkout.
 */

/** Only links a browser can follow safely: a path on the shop, or http(s). Anything else is dropped. */
const safeLink = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) =>
      (value.startsWith("/") && !value.startsWith("//")) ||
      (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
  )
  .optional()
  .catch(undefined);

export const feedProductSchema = z.object({
  sku: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(300),
  price: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/)
    .transform((code) => code.toUpperCase()),
  // Some shop systems report oversold items as negative stock; for selling that is "none left".
  stock: z
    .number()
    .int()
    .nullish()
    .transform((stock) => (stock === null || stock === undefined ? null : Math.max(0, stock))),
  url: safeLink,
  image: safeLink,
});

export type FeedProduct = z.output<typeof feedProductSchema>;

export const MAX_FEED_PRODUCTS = 10_000;

export type ParsedFeed = { products: Map<string, FeedProduct>; skipped: number };

/** The feed's products by sku (first listing of a sku wins), or null when the document is not a feed at all. */
export function parseFeed(document: unknown): ParsedFeed | null {
  const listed = z.object({ products: z.array(z.unknown()).max(MAX_FEED_PRODUCTS) }).safeParse(document);
  if (!listed.success) return null;
  const products = new Map<string, FeedProduct>();
  let skipped = 0;
  for (const entry of listed.data.products) {
    const product = feedProductSchema.safeParse(entry);
    if (!product.success || products.has(product.data.sku)) skipped++;
    else products.set(product.data.sku, product.data);
  }
  return { products, skipped };
}
