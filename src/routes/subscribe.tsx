import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { errorResponse, problem, type StayopenError } from "../http/errors";
import { readFields } from "../http/body";
import { wantsJson } from "../http/negotiate";
import { renderPage } from "../shopper/render";
import { subscriberEmail } from "../notify/email";
import { NotifyFormPage, NotifyThanksPage } from "../shopper/notify";
import { subscriberList } from "../notify/store";

const MAX_BODY_BYTES = 4096;

const HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };

/** What a notify-me request came to; `sentJson`: the body was JSON, so the answer is too. */
type Subscription =
  | { kind: "unreadable"; problem: StayopenError }
  | { kind: "invalid_email"; email: string; message: string; sentJson: boolean }
  | { kind: "subscribed"; sentJson: boolean };

async function subscribeFromRequest(c: Context<AppEnv>): Promise<Subscription> {
  const body = await readFields(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return { kind: "unreadable", problem: body.problem };
  const sentJson = body.kind === "json";
  const email = subscriberEmail.safeParse(body.fields.email ?? "");
  if (!email.success) {
    const message = email.error.issues[0]?.message ?? "Enter a valid email address.";
    return { kind: "invalid_email", email: body.fields.email ?? "", message, sentJson };
  }
  await subscriberList(c.env, c.get("shop")).subscribe(email.data);
  return { kind: "subscribed", sentJson };
}

type Answered = Exclude<Subscription, { kind: "unreadable" }>;

/** The one presenter: JSON for JSON bodies and API clients, a page for form posts (a body it can't read: JSON). */
function respondToSubscription(c: Context<AppEnv>, subscription: Subscription): Response | Promise<Response> {
  if (subscription.kind === "unreadable") return errorResponse(c, subscription.problem, HEADERS);
  const json = wantsJson(c.req.raw) || subscription.sentJson;
  return json ? subscriptionJson(c, subscription) : subscriptionPage(c, subscription);
}

function subscriptionJson(c: Context<AppEnv>, subscription: Answered): Response {
  if (subscription.kind === "invalid_email")
    return errorResponse(c, problem("invalid_email", subscription.message), HEADERS);
  return c.json({ status: "subscribed" }, 202, HEADERS);
}

function subscriptionPage(c: Context<AppEnv>, subscription: Answered): Promise<Response> | Response {
  const config = c.get("shop").config;
  if (subscription.kind === "subscribed") return renderPage(c, <NotifyThanksPage config={config} />, 202, HEADERS);
  const page = <NotifyFormPage config={config} email={subscription.email} error={subscription.message} />;
  return renderPage(c, page, 400, HEADERS);
}

/**
 * POST /__stayopen/notify: "tell me when you're back". 202 whether the
 * address is new or known (nobody learns who else subscribed).
 */
export async function subscribe(c: Context<AppEnv>): Promise<Response> {
  return respondToSubscription(c, await subscribeFromRequest(c));
}
