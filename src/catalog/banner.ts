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
