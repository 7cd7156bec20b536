import { html } from "hono/html";
import { CHECKOUT_PATH } from "../http/wire";
import { formatAsOf } from "../time";

/** What the edge checkout offers, in the banner and on the maintenance page. */
export const CHECKOUT_TITLE = "Order now, we'll confirm when we're back";

const LINK_STYLE = "color:#0b57d0;text-decoration:underline";

/**
 * The notice at the top of every stale HTML page. Inline styles, because the
 * shop's own stylesheet may be unreachable too. The date is formatted here;
 * the operator's incident message (while maintenance is forced) is escaped.
 * With a product feed configured it also offers the edge checkout, which
 * picks the product from the page the shopper is on.
 */
function bannerHtml(storedAt: number, offerCheckout = false, message: string | null = null): string {
  const iso = new Date(storedAt).toISOString();
  return (
    // A labelled landmark, so the notice is part of the page's outline; its text is a polite live region.
    `<section aria-label="Shop status" data-stayopen-banner style="all:initial;display:block;box-sizing:border-box;` +
    `width:100%;padding:12px 16px;background:#fff4ce;color:#1a1a1a;border-bottom:2px solid #8a6d00;` +
    `font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"><p role="status" style="margin:0">` +
    `We're having trouble reaching our shop system. Prices and stock shown as of ` +
    `<time datetime="${iso}">${formatAsOf(storedAt)}</time>. ` +
    (message ? String(html`<strong>${message}</strong> `) : "") +
    (offerCheckout ? `<a href="${CHECKOUT_PATH}" style="${LINK_STYLE};font-weight:600">${CHECKOUT_TITLE}</a> · ` : "") +
    `<a href="/__stayopen/status" style="${LINK_STYLE}">Shop status</a></p></section>`
  );
}

const encoder = new TextEncoder();
const bannerCache = new Map<string, Uint8Array>();
const BANNER_CACHE_ENTRIES = 256;

/**
 * The banner's UTF-8 bytes. The same few snapshots are served thousands of times
 * in an outage, each with the same banner: formatting its date every time showed
 * in profiles.
 */
export function bannerBytes(storedAt: number, offerCheckout = false, message: string | null = null): Uint8Array {
  const key = `${storedAt} ${offerCheckout ? 1 : 0} ${message ?? ""}`;
  let bytes = bannerCache.get(key);
  if (!bytes) {
    bytes = encoder.encode(bannerHtml(storedAt, offerCheckout, message));
    if (bannerCache.size >= BANNER_CACHE_ENTRIES) bannerCache.delete(bannerCache.keys().next().value!);
    bannerCache.set(key, bytes);
  }
  return bytes;
}

/** Where withBanner puts the banner into a page: at one byte offset, nowhere (no body element), or only HTMLRewriter knows. */
export type BannerPlace = { at: number } | "none" | "rewrite";

/**
 * Where withBanner inserts the banner into this UTF-8 page. Found by
 * HTMLRewriter itself, once per snapshot: a marker prepended to every body
 * element is looked up in its output. A page with more than one body element
 * stays with the rewriter.
 */
export async function bannerPlace(body: ArrayBuffer, contentType: string): Promise<BannerPlace> {
  const markerText = `<!--stayopen-banner-${crypto.randomUUID()}-->`;
  const marked = new Uint8Array(
    await new HTMLRewriter()
      .on("body", {
        element(element) {
          element.prepend(markerText, { html: true });
        },
      })
      .transform(new Response(body, { headers: { "content-type": contentType } }))
      .arrayBuffer(),
  );
  const marker = encoder.encode(markerText);
  const at = indexOf(marked, marker, 0);
  if (at === -1) return "none";
  if (indexOf(marked, marker, at + marker.length) !== -1) return "rewrite";
  // The rewriter passes every other byte through as it came: the offset in its output is the offset in the page.
  return marked.length === body.byteLength + marker.length ? { at } : "rewrite";
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  for (let i = haystack.indexOf(needle[0]!, from); i !== -1; i = haystack.indexOf(needle[0]!, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Streams the page through HTMLRewriter, adding the banner as the body's first child. */
export function withBanner(
  response: Response,
  storedAt: number,
  offerCheckout = false,
  message: string | null = null,
): Response {
  const banner = bannerHtml(storedAt, offerCheckout, message);
  return new HTMLRewriter()
    .on("body", {
      element(body) {
        body.prepend(banner, { html: true });
      },
    })
    .transform(response);
}
