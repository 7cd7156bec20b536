import { z } from "zod";
import { bodyKind } from "../http/body";

/**
 * What a shopper can be told about an order's contents, read from its body
 * when it is queued (the body itself is dropped once the shop has the order).
 * Edge-checkout orders are stayopen's own format; an order posted to
 * ORDER_PATHS is in the shop's format, so only common shapes are read, and a
 * price is shown only where its meaning is plain: never a guess.
 */
export type OrderItemSummary = { name: string | null; sku: string | null; qty: number | null };
/** `minor`: minor units of `currency` (edge checkout); `text`: exactly as the shop's body wrote it. */
export type OrderTotal = { minor: number; currency: string } | { text: string };
export type OrderSummary = { items: OrderItemSummary[]; total: OrderTotal | null };

const MAX_ITEMS = 50;
const MAX_TEXT = 120;
const MAX_QTY = 1_000_000;
const LIST_KEYS = ["items", "line_items", "lineItems", "lines", "products", "cart_items", "cartItems"];
const CONTAINER_KEYS = ["order", "cart", "checkout", "data"];
const NAME_KEYS = ["name", "title", "product_name", "productName"];
const SKU_KEYS = ["sku", "product_id", "productId", "variant_id", "variantId", "id"];
const QTY_KEYS = ["qty", "quantity", "count"];
/** A flat form's `name` and `id` are usually the shopper's name and something else: only product fields count. */
const FORM_NAME_KEYS = ["product_name", "productName", "item_name"];
const FORM_SKU_KEYS = ["sku", "product_id", "productId", "variant_id", "variantId"];
const TOTAL_KEYS = ["total", "grand_total", "grandTotal", "order_total", "orderTotal", "amount_total"];
const CURRENCY = /^[A-Z]{3}$/;
/** A price as a person writes it: digits with separators, an optional symbol or code either side. */
const WRITTEN_PRICE = /^[^\d\s]{0,4} ?\d{1,9}(?:[.,\u00a0 ]\d{1,3})*(?:[.,]\d{1,2})? ?[^\d\s]{0,4}$/u;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Fields = (key: string) => unknown;

function text(value: unknown): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== "string") return null;
  const trimmed = value.replace(/\s+/g, " ").trim();
  if (trimmed === "") return null;
  return trimmed.length > MAX_TEXT ? `${trimmed.slice(0, MAX_TEXT - 1)}…` : trimmed;
}

function quantity(value: unknown): number | null {
  const n = typeof value === "string" && /^\s*\d{1,7}\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 && n <= MAX_QTY ? n : null;
}

function first<T>(fields: Fields, keys: string[], read: (value: unknown) => T | null): T | null {
  for (const key of keys) {
    const value = read(fields(key));
    if (value !== null) return value;
  }
  return null;
}

/** One line of an order, or null when it names nothing a shopper would recognise. */
function item(fields: Fields): OrderItemSummary | null {
  const name = first(fields, NAME_KEYS, text);
  const sku = first(fields, SKU_KEYS, text);
  if (name === null && sku === null) return null;
  return { name, sku, qty: first(fields, QTY_KEYS, quantity) };
}

/** A total written as text ("29.90", "€29.90") is shown as written; a bare number's unit is unknown. */
function writtenTotal(value: unknown, currency: unknown): OrderTotal | null {
  let written: string | null = null;
  if (typeof value === "string" && WRITTEN_PRICE.test(value.trim())) written = value.trim();
  // 29.9 is plainly major units; 2990 could be cents or euros, so it is left out.
  else if (typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value) && value > 0)
    written = String(value);
  if (written === null) return null;
  const code = typeof currency === "string" && CURRENCY.test(currency) ? currency : null;
  return { text: code && /^[\d.,\s\u00a0]+$/.test(written) ? `${written} ${code}` : written };
}

function writtenTotalOf(fields: Fields, currency: unknown): OrderTotal | null {
  return first(fields, TOTAL_KEYS, (value) => writtenTotal(value, currency));
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fromJson(root: Json): OrderSummary {
  if (isObject(root) && root.source === "stayopen-edge-checkout") return edgeCheckout(root);
  const holders = isObject(root) ? [root, ...CONTAINER_KEYS.map((key) => root[key]).filter(isObject)] : [];
  let list: Json[] | null = Array.isArray(root) ? root : null;
  for (const holder of holders) {
    if (list) break;
    for (const key of LIST_KEYS) {
      const candidate = holder[key];
      if (Array.isArray(candidate)) {
        list = candidate;
        break;
      }
    }
  }
  const items = (list ?? [])
    .filter(isObject)
    .slice(0, MAX_ITEMS)
    .map((entry) => item((key) => entry[key]))
    .filter((entry): entry is OrderItemSummary => entry !== null);
  const total = holders.map((holder) => writtenTotalOf((key) => holder[key], holder.currency)).find(Boolean) ?? null;
  return { items, total };
}

/** stayopen's own order: prices in minor units, as the checkout showed them. */
function edgeCheckout(root: { [key: string]: Json }): OrderSummary {
  const lines = Array.isArray(root.items) ? root.items.filter(isObject).slice(0, MAX_ITEMS) : [];
  const items = lines
    .map((line) => item((key) => line[key]))
    .filter((entry): entry is OrderItemSummary => entry !== null);
  const { total, currency } = root;
  const known = typeof total === "number" && Number.isSafeInteger(total) && total >= 0;
  return {
    items,
    total: known && typeof currency === "string" && CURRENCY.test(currency) ? { minor: total, currency } : null,
  };
}

/** `items[0][sku]`, `line_items[][qty]`, `order[items][0][name]`: the list, the line's index, the field. */
const LIST = "(?:items|line_items|lineItems|lines|products)";
const BRACKETED = new RegExp(`^(?:(?:order|cart)\\[${LIST}\\]|${LIST})\\[(\\d*)\\]\\[(\\w+)\\]$`);

function fromForm(body: string): OrderSummary {
  const form = new URLSearchParams(body);
  // items[0][sku]=A&items[0][qty]=2, or items[][sku]=A&items[][qty]=2 (a repeated field starts the next line).
  const lines = new Map<string, Map<string, string>>();
  let open = 0;
  for (const [key, value] of form) {
    const match = BRACKETED.exec(key);
    if (!match) continue;
    const [, index, field] = match as unknown as [string, string, string];
    let id = index;
    if (index === "") {
      if (lines.get(String(open))?.has(field)) open++;
      id = String(open);
    }
    if (!lines.has(id) && lines.size >= MAX_ITEMS) continue;
    const line = lines.get(id) ?? new Map<string, string>();
    if (!line.has(field)) line.set(field, value);
    lines.set(id, line);
  }
  let items = [...lines.values()].map((line) => item((key) => line.get(key)));
  if (lines.size === 0) {
    // Flat fields: sku=A&qty=2, repeated fields paired by position only when they come in equal numbers.
    const all = (keys: string[]) => keys.map((key) => form.getAll(key)).find((values) => values.length > 0) ?? [];
    const [skus, names, qtys] = [all(FORM_SKU_KEYS), all(FORM_NAME_KEYS), all(QTY_KEYS)];
    const count = Math.min(Math.max(skus.length, names.length), MAX_ITEMS);
    const at = (values: string[], i: number) => (values.length === count ? values[i] : undefined);
    items = Array.from({ length: count }, (_, i) =>
      item((key) =>
        key === "sku" ? at(skus, i) : key === "name" ? at(names, i) : key === "qty" ? at(qtys, i) : undefined,
      ),
    );
  }
  return {
    items: items.filter((entry): entry is OrderItemSummary => entry !== null),
    total: writtenTotalOf((key) => form.get(key), form.get("currency")),
  };
}

/** Never throws: an order whose body cannot be read is still an order, just one without a summary. */
export function summarizeOrder(contentType: string, body: string): OrderSummary {
  try {
    const kind = bodyKind(contentType);
    if (kind === "json") return fromJson(JSON.parse(body.replace(/^\ufeff/, "")) as Json);
    if (kind === "form") return fromForm(body);
  } catch {
    // Fall through: nothing readable.
  }
  return { items: [], total: null };
}

const storedSchema = z.object({
  summary: z.object({
    items: z.array(
      z.object({ name: z.string().nullable(), sku: z.string().nullable(), qty: z.number().int().nullable() }),
    ),
    total: z
      .union([z.object({ minor: z.number().int(), currency: z.string() }), z.object({ text: z.string() })])
      .nullable(),
  }),
});

/** The summary kept in an order's `meta` when it was queued; null for an order queued before summaries were kept. */
export function storedSummary(meta: Record<string, unknown> | null): OrderSummary | null {
  const parsed = storedSchema.safeParse(meta);
  return parsed.success ? parsed.data.summary : null;
}
