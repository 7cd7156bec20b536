import type { JsonValue } from "../config/fields";
import type { OrderReply } from "../config/schema";

/** The values of the placeholders (REPLY_PLACEHOLDERS). */
type Filled = { reference: string; statusUrl: string };

/**
 * An ORDER_REPLIES template with `{reference}` and `{statusUrl}` filled in.
 * Only string values are touched, on the parsed template, and the result is
 * serialized afterwards: a value can never break out of its JSON string.
 */
export function fillTemplate(template: JsonValue, values: Filled): JsonValue {
  if (typeof template === "string")
    return template.replace(/\{(reference|statusUrl)\}/g, (_, name: keyof Filled) => values[name]);
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, values));
  if (template === null || typeof template !== "object") return template;
  return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fillTemplate(value, values)]));
}

/** The reply a shop's checkout expects for a queued order, with stayopen's headers (queued source, Location, …). */
export function orderReplyResponse(reply: OrderReply, values: Filled, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(fillTemplate(reply.body, values)), {
    status: reply.status,
    headers: { ...headers, "content-type": "application/json; charset=utf-8" },
  });
}
