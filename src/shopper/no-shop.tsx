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

type NeutralAnswer = { status: 404 | 503; code: "no_shop" | "registry_unavailable"; title: string; text: string };

const NO_SHOP: NeutralAnswer = {
  status: 404,
  code: "no_shop",
  title: "No shop here",
  text: "There is no shop at this address. Check the link, or go to the shop's address you know.",
};

/** Seconds a client is asked to wait when the shop registry did not answer (RFC 9110 Retry-After). */
const REGISTRY_RETRY_AFTER_S = 30;

const UNREACHABLE: NeutralAnswer = {
  status: 503,
  code: "registry_unavailable",
  title: "Back in a moment",
  text: "This shop can't be reached right now. Please try again in a minute.",
};

/**
 * A host no registered shop has (many shops on one deployment): a 404 page
 * for a person's browser, JSON for programs. It names no shop, so it tells
 * nobody which shops the deployment serves.
 */
export const noShopHere = (c: Context): Response => neutralAnswer(c, NO_SHOP, {});

/**
 * The shop registry did not answer and this isolate has no copy yet, so the
 * request's shop is unknown: an honest 503 with Retry-After, in no shop's colours.
 */
export const shopUnknown = (c: Context): Response =>
  neutralAnswer(c, UNREACHABLE, { "retry-after": String(REGISTRY_RETRY_AFTER_S) });

function neutralAnswer(c: Context, answer: NeutralAnswer, extra: Record<string, string>): Response {
  // The page's own stylesheet: the one thing this host serves.
  if (c.req.path === STYLESHEET.path) return serveStaticAsset(c, STYLESHEET);
  const headers = { ...HEADERS, ...extra };
  if (!wantsPage(c.req.raw)) return errorResponse(c, problem(answer.code), headers);
  return renderPage(
    c,
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{answer.title} · stayopen</title>
        <link rel="stylesheet" href={STYLESHEET.url} />
        <style>{`:root{--brand:${NEUTRAL};--on-brand:${readableTextOn(NEUTRAL)}}`}</style>
      </head>
      <body>
        <header class="brand">
          <span class="brand-home">stayopen</span>
        </header>
        <main id="main">
          <h1>{answer.title}</h1>
          <p>{answer.text}</p>
        </main>
      </body>
    </html>,
    answer.status,
    headers,
  );
}
