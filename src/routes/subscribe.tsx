import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, problem } from "../http/errors";
import { readFields } from "../http/body";
import { wantsJson } from "../http/negotiate";
import { renderPage } from "../shopper/render";
import { subscriberEmail } from "../notify/email";
import { NotifyFormPage, NotifyThanksPage } from "../shopper/notify";
import { subscriberList } from "../notify/store";

const MAX_BODY_BYTES = 4096;

/**
 * POST /__stayopen/notify: "tell me when you're back". 202 whether the
 * address is new or known (nobody learns who else subscribed); a page for
 * form posts, JSON for JSON bodies and API clients.
 */
export async function subscribe(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const headers = { "cache-control": "no-store", "x-stayopen-source": "edge" };
  const body = await readFields(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return errorResponse(c, body.problem, headers);
  const json = wantsJson(c.req.raw) || body.kind === "json";

  const email = subscriberEmail.safeParse(body.fields.email ?? "");
  if (!email.success) {
    const message = email.error.issues[0]?.message ?? "Enter a valid email address.";
    if (json) return errorResponse(c, problem("invalid_email", message), headers);
    return renderPage(
      c,
      <NotifyFormPage config={shop.config} email={body.fields.email ?? ""} error={message} />,
      400,
      headers,
    );
  }

  await subscriberList(c.env, shop).subscribe(email.data);
  if (json) return c.json({ status: "subscribed" }, 202, headers);
  return renderPage(c, <NotifyThanksPage config={shop.config} />, 202, headers);
}
