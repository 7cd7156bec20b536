import { z } from "zod";
import { parseIpRange } from "../http/cidr";
import { parseStatusRanges } from "./status-ranges";

/**
 * The kinds of value a configuration variable holds, each a zod schema that
 * turns the variable's text into a typed value: numbers, URLs, lists, paths,
 * JSON fields, secrets. The schema (schema.ts) gives each variable one of
 * these. An empty string counts as "not set"; a message says what a value
 * must be and is prefixed with the variable's name where it is reported.
 */

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** Unset (or blank): undefined, the feature off. */
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

/** Unset (or blank): `fallback`, written as a value of the variable would be (the documentation shows it). */
export const orDefault = <T extends z.ZodType>(schema: T, fallback: z.util.NoUndefined<z.core.output<T>>) =>
  z.preprocess(blankToUndefined, schema.default(fallback));

export const int = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
      .transform(Number)
      .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .default(fallback),
  );

/** `on` or `off`, read as a boolean. */
export const onOff = (fallback: "on" | "off") =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(["on", "off"], { message: 'must be "on" or "off"' })
      .default(fallback)
      .transform((value) => value === "on"),
  );

/** Text shown to shoppers, at most `max` characters. */
export const shortText = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

export const hexColor = z
  .string()
  .trim()
  .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, "must be a hex colour like #1f6feb");

export const email = z.string().trim().email("must be an email address");

/** A bearer token the operator chooses: long enough not to be guessed. */
export const token = (minLength: number) => z.string().min(minLength, `must be at least ${minLength} characters`);

/** An absolute http(s) URL, without trailing slashes. */
export const httpUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "must be an http(s) URL")
  .transform((value) => value.replace(/\/+$/, ""));

/** An absolute http(s) URL, or a path resolved against the origin. */
export const urlOrPath = z
  .string()
  .trim()
  .refine(
    (value) => value.startsWith("/") || (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
    "must be an http(s) URL or a path starting with /",
  );

/** An origin is a base URL: the request's path and query are appended, so it has neither query nor fragment. */
export const originUrl = httpUrl.refine((value) => {
  // Runs after a failed URL check too (zod goes on to report every issue): never throw here.
  const url = URL.canParse(value) ? new URL(value) : null;
  return url === null || (url.search === "" && url.hash === "");
}, "must be an http(s) URL without a query or fragment");

/** A comma-separated list of `item`s; unset (or blank): `fallback`, written as the variable's text. */
export const csv = <T extends z.ZodType<unknown, string>>(item: T, fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(z.array(item)),
  );

export const cookieName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must list cookie names");

const PATH = /^\/[^\s]*$/;
export const path = z.string().regex(PATH, "must be a path starting with /");
export const listedPath = z.string().regex(PATH, "must list paths starting with /");

/** A page pattern as in ORDER_PATHS (`*` one segment, a trailing `*` any rest). */
export const pathPattern = z.string().regex(/^\/\S*$/, 'must list path patterns starting with / (e.g. "/checkout*")');

/** An order route, `METHOD /pattern`: the method upper-cased, the pattern as written. */
export const orderPath = z
  .string()
  .regex(
    /^(POST|PUT|PATCH) \/\S*$/i,
    'must list entries like "POST /api/orders" (POST, PUT or PATCH, then a path; * matches one path segment, a trailing * any rest)',
  )
  .transform((entry) => {
    const [method, pattern] = entry.split(/\s+/) as [string, string];
    return { method: method.toUpperCase(), pattern };
  });

/** The statuses a snapshot may keep. */
export const snapshotStatus = z
  .string()
  .regex(/^(200|301|404)$/, "may only list 200, 301 and 404")
  .transform(Number);

/** Statuses and ranges, `200-399` or `200,204`; unset (or blank): `fallback`. */
export const statusRanges = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(fallback)
      .transform((value, ctx) => {
        const ranges = parseStatusRanges(value);
        if (ranges) return ranges;
        ctx.addIssue({ code: "custom", message: 'must list statuses or ranges like "200-399" or "200,204"' });
        return z.NEVER;
      }),
  );

/** An IP address or CIDR range, IPv4 or IPv6. */
export const ipRange = z.string().transform((value, ctx) => {
  const range = parseIpRange(value);
  if (range) return range;
  ctx.addIssue({
    code: "custom",
    message: `must list IP addresses or CIDR ranges like 203.0.113.0/24 or 2001:db8::/32 (not "${value}")`,
  });
  return z.NEVER;
});

/** A JSON value as it arrives from JSON.parse: what a reply template may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Text parsed as JSON; text that is not JSON is an issue saying what was expected. */
const jsonText = (expected: string) =>
  z.string().transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: expected });
      return z.NEVER;
    }
  });

/** A JSON array of `item`s; unset (or blank): `[]`. */
export const jsonArray = <T extends z.ZodType>(item: T, example: string) =>
  z.preprocess(blankToUndefined, jsonText(`must be a JSON array like ${example}`).pipe(z.array(item)).default([]));

export const backupOrigin = z.object({ url: originUrl, orders: z.boolean().default(false) }).strict();

/** The placeholders a reply template may use inside its string values. */
export const REPLY_PLACEHOLDERS = ["reference", "statusUrl"] as const;
const PLACEHOLDER = /\{([A-Za-z_]\w*)\}/g;

/**
 * Every place in a template where a placeholder would not be filled in: an
 * unknown name (a typo would reach the shopper as is) or a placeholder in an
 * object key (only string values are filled in).
 */
function placeholderProblems(
  value: JsonValue,
  where: (string | number)[] = [],
): { path: (string | number)[]; message: string }[] {
  const known = (name: string) => (REPLY_PLACEHOLDERS as readonly string[]).includes(name);
  if (typeof value === "string") {
    const unknown = [...value.matchAll(PLACEHOLDER)].map((match) => match[1]!).filter((name) => !known(name));
    return unknown.length === 0
      ? []
      : [{ path: where, message: `has an unknown placeholder {${unknown[0]}} (only {reference} and {statusUrl})` }];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => placeholderProblems(item, [...where, index]));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) =>
    new RegExp(PLACEHOLDER.source).test(key)
      ? [{ path: [...where, key], message: "is a placeholder in an object key: placeholders go in string values only" }]
      : placeholderProblems(item, [...where, key]),
  );
}

/**
 * One ORDER_REPLIES entry: the reply a shop's own checkout expects for a
 * queued order. A success with a body only: a checkout reads anything else
 * as a failed order (and would offer to order again), and 204/205 carry no body.
 */
const orderReply = z
  .object({
    status: z
      .number({ message: "must be 200, 201, 202 or 203" })
      .int("must be 200, 201, 202 or 203")
      .min(200, "must be 200, 201, 202 or 203")
      .max(203, "must be 200, 201, 202 or 203"),
    body: z.json({ message: "must be a JSON value" }),
  })
  .strict()
  .superRefine((reply, ctx) => {
    for (const problem of placeholderProblems(reply.body as JsonValue, ["body"]))
      ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
  });

/** A JSON object of order replies by route (`"POST /api/orders": {status, body}`); unset (or blank): `{}`. */
export const orderReplies = z.preprocess(
  blankToUndefined,
  jsonText('must be a JSON object like {"POST /api/orders":{"status":200,"body":{"id":"{reference}"}}}')
    .pipe(z.record(z.string(), orderReply, { message: "must be a JSON object of order routes" }))
    .default({}),
);

/**
 * A Standard Webhooks secret exactly as the official libraries read one: an
 * optional `whsec_` prefix, then the key in padded standard base64 (what
 * `new Webhook(secret)` would refuse is refused here too, never signed with).
 */
export const standardWebhooksSecret = z
  .string()
  .regex(
    /^(?:whsec_)?(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    'must be "whsec_" followed by a base64 key, e.g. whsec_ and the output of `openssl rand -base64 32`',
  )
  .refine((secret) => {
    const key = secret.replace(/^whsec_/, "");
    return (key.length / 4) * 3 - (key.length - key.replace(/=+$/, "").length) >= 16;
  }, "must hold a key of at least 16 bytes (24 base64 characters)");

export const stripeSecretKey = z
  .string()
  .trim()
  .regex(/^(rk|sk)_(test|live)_\S+$/, "must be a Stripe restricted key (rk_live_…) or secret key");

export const stripeWebhookSecret = z
  .string()
  .trim()
  .regex(/^whsec_\S+$/, "must be a Stripe webhook signing secret (whsec_…)");
