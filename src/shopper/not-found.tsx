import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { wantsPage } from "../http/negotiate";
import { Layout } from "./layout";
import { renderPage } from "./render";

const HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };

/** A stayopen address that does not exist: a page for a person's browser, JSON for programs. */
export function stayopenNotFound(c: Context<AppEnv>): Response {
  if (!wantsPage(c.req.raw)) return errorResponse(c, problem("not_found", null), HEADERS);
  const config = c.get("shop").config;
  return renderPage(
    c,
    <Layout config={config} title="Page not found">
      <h1>We can't find that page</h1>
      <p>The link may be incomplete or out of date.</p>
      <p>
        <a href="/">Back to the shop</a> · <a href="/__stayopen/status">Shop status</a>
      </p>
    </Layout>,
    404,
    HEADERS,
  );
}
