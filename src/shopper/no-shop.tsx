import type { Context } from "hono";
import { errorResponse, problem } from "../http/errors";
import { wantsPage } from "../http/negotiate";
import { readableTextOn } from "./brand";
import { renderPage } from "./render";
import { serveStaticAsset } from "../http/static-asset";
import { STYLESHEET } from "./stylesheet";

const HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };
/** stayopen's own neutral colours: this page belongs to no shop, so it shows no shop's name, colour or logo. */
const NEUTRAL = "#24292f";

/**
 * A host no registered shop has (many shops on one deployment): a 404 page
 * for a person's browser, JSON for programs. It names no shop, so it tells
 * nobody which shops the deployment serves.
 */
export function noShopHere(c: Context): Response {
  // The page's own stylesheet: the one thing this host serves.
  if (c.req.path === STYLESHEET.path) return serveStaticAsset(c, STYLESHEET);
  if (!wantsPage(c.req.raw)) return errorResponse(c, problem("no_shop"), HEADERS);
  return renderPage(
    c,
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>No shop here · stayopen</title>
        <link rel="stylesheet" href={STYLESHEET.url} />
        <style>{`:root{--brand:${NEUTRAL};--on-brand:${readableTextOn(NEUTRAL)}}`}</style>
      </head>
      <body>
        <header class="brand">
          <span class="brand-home">stayopen</span>
        </header>
        <main id="main">
          <h1>No shop here</h1>
          <p>There is no shop at this address. Check the link, or go to the shop's address you know.</p>
        </main>
      </body>
    </html>,
    404,
    HEADERS,
  );
}
