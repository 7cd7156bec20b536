import { formatAsOf } from "../shopper/time";

/**
 * The notice at the top of every stale HTML page. Inline styles, because the
 * shop's own stylesheet may be unreachable too; the only dynamic text is a
 * date we format ourselves.
 */
export function bannerHtml(storedAt: number): string {
  const iso = new Date(storedAt).toISOString();
  return (
    `<div role="status" data-stayopen-banner style="all:initial;display:block;box-sizing:border-box;width:100%;` +
    `padding:12px 16px;background:#fff4ce;color:#1a1a1a;border-bottom:2px solid #8a6d00;` +
    `font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">` +
    `We're having trouble reaching our shop system. Prices and stock shown as of ` +
    `<time datetime="${iso}">${formatAsOf(storedAt)}</time>. ` +
    `<a href="/__stayopen/status" style="color:#0b57d0;text-decoration:underline">Shop status</a></div>`
  );
}

/** Streams the page through HTMLRewriter, adding the banner as the body's first child. */
export function withBanner(response: Response, storedAt: number): Response {
  const banner = bannerHtml(storedAt);
  return new HTMLRewriter()
    .on("body", {
      element(body) {
        body.prepend(banner, { html: true });
      },
    })
    .transform(response);
}
