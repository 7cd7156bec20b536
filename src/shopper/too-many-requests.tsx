import type { Context } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { wantsJson } from "../http/negotiate";
import { Layout } from "./layout";
import { renderPage } from "./render";

function TooManyRequestsPage({ config, retryAfterS }: { config: Config; retryAfterS: number }) {
  return (
    <Layout config={config} title="Too many requests">
      <h1>Too many requests</h1>
      <p>
        We received a lot of requests from your connection in a short time. Please wait{" "}
        {retryAfterS === 1 ? "a second" : `${retryAfterS} seconds`} and try again.
      </p>
      <p>
        <a href="/">Back to the shop</a>
      </p>
    </Layout>
  );
}

/** The 429 with Retry-After: JSON for API clients, the branded page for browsers. */
export function tooManyRequests(c: Context<AppEnv>, retryAfterS: number): Response | Promise<Response> {
  const headers = {
    "retry-after": String(retryAfterS),
    "cache-control": "no-store",
    "x-stayopen-source": "edge",
  };
  // A client that sent JSON reads JSON, even without an Accept header.
  if (wantsJson(c.req.raw) || /json/i.test(c.req.header("content-type") ?? "")) {
    const message = `Too many requests; try again in ${retryAfterS} seconds.`;
    return errorResponse(c, problem("rate_limited", message, {}, { retryAfter: retryAfterS }), headers);
  }
  return renderPage(c, <TooManyRequestsPage config={c.get("shop").config} retryAfterS={retryAfterS} />, 429, headers);
}
