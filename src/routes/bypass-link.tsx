import type { Context } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { wantsJson } from "../http/negotiate";
import { readFields } from "../http/body";
import { log } from "../log";
import { Layout } from "../shopper/layout";
import { renderPage } from "../shopper/render";
import { issueBypassCookie, verifyPass, type Pass } from "../control/bypass";
import { shopControl } from "../control/controls";

/**
 * The one-time bypass link, in two steps: GET shows a button, POST spends the
 * link and sets the cookie. Link previewers (chat apps, mail scanners) fetch
 * links with GET, so a GET that spent the link would leave staff with a used one.
 */

const MAX_FORM_BYTES = 2048;
const HEADERS = { "cache-control": "no-store", "referrer-policy": "no-referrer", "x-stayopen-source": "edge" };

function LinkPage({ config, token }: { config: Config; token: string }) {
  return (
    <Layout config={config} title="Staff access">
      <h1>Staff access</h1>
      <p>
        This link lets this browser reach the shop system directly while shoppers see the maintenance pages. It works
        once.
      </p>
      <form method="post" action="/__stayopen/bypass">
        <input type="hidden" name="token" value={token} />
        <button type="submit">Continue as staff</button>
      </form>
    </Layout>
  );
}

function RefusedPage({ config }: { config: Config }) {
  return (
    <Layout config={config} title="Link not valid">
      <h1>This staff link is not valid</h1>
      <p>It has expired or has already been used. Ask for a new link from the admin API.</p>
      <p>
        <a href="/">Go to the shop</a>
      </p>
    </Layout>
  );
}

async function validLink(c: Context<AppEnv>, token: string): Promise<Pass | null> {
  const shop = c.get("shop");
  if (!shop.config.adminToken) return null;
  return verifyPass(token, "link", shop.id, shop.config.adminToken, Date.now());
}

function refused(c: Context<AppEnv>): Response {
  if (wantsJson(c.req.raw)) {
    return errorResponse(c, problem("bypass_link_invalid"), HEADERS);
  }
  return renderPage(c, <RefusedPage config={c.get("shop").config} />, 404, HEADERS);
}

/** `GET /__stayopen/bypass?token=…` */
export async function showBypassLink(c: Context<AppEnv>): Promise<Response> {
  const token = c.req.query("token") ?? "";
  if (!(await validLink(c, token))) return refused(c);
  return renderPage(c, <LinkPage config={c.get("shop").config} token={token} />, 200, HEADERS);
}

/** `POST /__stayopen/bypass` (form field `token`): spends the link, sets the cookie, goes to the shop. */
export async function redeemBypassLink(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const form = await readFields(c.req.raw, MAX_FORM_BYTES);
  const token = form.ok ? (form.fields.token ?? "") : "";
  const pass = await validLink(c, token);
  if (!pass || !(await shopControl(c.env, shop.id).redeemLink(pass.nonce, pass.exp))) {
    log("info", "bypass_link_refused", { shop: shop.id });
    return refused(c);
  }
  await issueBypassCookie(c, shop.config.adminToken!, Date.now());
  log("info", "bypass_link_redeemed", { shop: shop.id });
  for (const [name, value] of Object.entries(HEADERS)) c.header(name, value);
  return c.redirect("/", 303);
}
