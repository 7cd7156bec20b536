import { z } from "zod";
import type { Env } from "./env";
import { ConfigError } from "./errors";

/**
 * One schema parses every variable once per `env` object; the rest of the code
 * only sees the typed `Config`. A bad value is an error naming the variable,
 * never a silent default. An empty string counts as "not set".
 */

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const int = (min: number, max: number, fallback: number) =>
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

const httpUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "must be an http(s) URL")
  .transform((value) => value.replace(/\/+$/, ""));

/** An absolute http(s) URL, or a path resolved against the origin. */
const urlOrPath = z
  .string()
  .trim()
  .refine(
    (value) => value.startsWith("/") || (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
    "must be an http(s) URL or a path starting with /",
  );

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const csv = <T extends z.ZodType<unknown, string>>(item: T, fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(fallback)
      .transform((value) => value.split(",").map((part) => part.trim()).filter(Boolean))
      .pipe(z.array(item)),
  );

const path = z.string().regex(/^\/[^\s]*$/, "must list paths starting with /");

const orderPath = z
  .string()
  .regex(/^(POST|PUT|PATCH) \/\S*$/i, 'must list entries like "POST /api/orders" (POST, PUT or PATCH, then a path; a trailing * matches a prefix)')
  .transform((entry) => {
    const [method, pattern] = entry.split(/\s+/) as [string, string];
    return { method: method.toUpperCase(), pattern };
  });

const backupOrigin = z.object({ url: httpUrl, orders: z.boolean().default(false) }).strict();

const jsonArray = <T extends z.ZodType>(item: T, example: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((value, ctx) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: `must be a JSON array like ${example}` });
          return z.NEVER;
        }
      })
      .pipe(z.array(item))
      .default([]),
  );

const schema = z.object({
  ORIGIN_URL: httpUrl,
  ORIGIN_TIMEOUT_MS: int(100, 60_000, 3000),
  BREAKER_FAILURES: int(1, 1000, 3),
  BREAKER_COOLDOWN_MS: int(100, 3_600_000, 10_000),
  HEALTH_PATH: z.preprocess(blankToUndefined, path.default("/")),
  ORDER_PATHS: csv(orderPath, "POST /api/orders"),
  ORDER_MAX_BYTES: int(256, 10 * 1024 * 1024, 65_536),
  CRITICAL_PATHS: csv(path, "/"),
  SITEMAP_URL: optional(urlOrPath),
  SHOP_NAME: z.preprocess(blankToUndefined, z.string().trim().max(80, "must be at most 80 characters").default("Our shop")),
  BRAND_COLOR: z.preprocess(
    blankToUndefined,
    z.string().trim().regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, "must be a hex colour like #1f6feb").default("#1f6feb"),
  ),
  LOGO_URL: optional(urlOrPath),
  SUPPORT_EMAIL: optional(z.string().trim().email("must be an email address")),
  RETRY_AFTER_S: int(1, 86_400, 120),
  CATALOG_FEED_URL: optional(urlOrPath),
  NOTIFY_WEBHOOK_URL: optional(httpUrl),
  SESSION_COOKIES: csv(
    z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must list cookie names"),
    "session,sessionid,PHPSESSID,connect.sid,_session_id",
  ),
  BACKUP_ORIGINS: jsonArray(backupOrigin, '[{"url":"https://dr.example.com","orders":false}]'),
  SNAPSHOT_STATUSES: csv(z.string().regex(/^(200|301|404)$/, "may only list 200, 301 and 404").transform(Number), "200"),
  SNAPSHOT_REFRESH_S: int(1, 86_400, 60),
  SNAPSHOT_MAX_BYTES: int(1024, 25 * 1024 * 1024, 2 * 1024 * 1024),
  ADMIN_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  REPLAY_SECRET: optional(z.string().min(16, "must be at least 16 characters")),
});

type Parsed = z.output<typeof schema>;

export type OrderRoute = { method: string; pattern: string };
export type BackupOrigin = { url: string; orders: boolean };

export type Config = {
  originUrl: string;
  originTimeoutMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  healthPath: string;
  orderPaths: OrderRoute[];
  orderMaxBytes: number;
  criticalPaths: string[];
  sitemapUrl?: string;
  shopName: string;
  brandColor: string;
  logoUrl?: string;
  supportEmail?: string;
  retryAfterS: number;
  catalogFeedUrl?: string;
  notifyWebhookUrl?: string;
  sessionCookies: string[];
  backupOrigins: BackupOrigin[];
  snapshotStatuses: number[];
  snapshotRefreshS: number;
  snapshotMaxBytes: number;
  adminToken?: string;
  replaySecret?: string;
};

/** The shop a request belongs to: an id that namespaces all its state, and its configuration. */
export type Shop = { id: string; config: Config };

function toConfig(parsed: Parsed): Config {
  return {
    originUrl: parsed.ORIGIN_URL,
    originTimeoutMs: parsed.ORIGIN_TIMEOUT_MS,
    breakerFailures: parsed.BREAKER_FAILURES,
    breakerCooldownMs: parsed.BREAKER_COOLDOWN_MS,
    healthPath: parsed.HEALTH_PATH,
    orderPaths: parsed.ORDER_PATHS,
    orderMaxBytes: parsed.ORDER_MAX_BYTES,
    criticalPaths: parsed.CRITICAL_PATHS,
    sitemapUrl: parsed.SITEMAP_URL,
    shopName: parsed.SHOP_NAME,
    brandColor: parsed.BRAND_COLOR,
    logoUrl: parsed.LOGO_URL,
    supportEmail: parsed.SUPPORT_EMAIL,
    retryAfterS: parsed.RETRY_AFTER_S,
    catalogFeedUrl: parsed.CATALOG_FEED_URL,
    notifyWebhookUrl: parsed.NOTIFY_WEBHOOK_URL,
    sessionCookies: parsed.SESSION_COOKIES,
    backupOrigins: parsed.BACKUP_ORIGINS,
    snapshotStatuses: parsed.SNAPSHOT_STATUSES,
    snapshotRefreshS: parsed.SNAPSHOT_REFRESH_S,
    snapshotMaxBytes: parsed.SNAPSHOT_MAX_BYTES,
    adminToken: parsed.ADMIN_TOKEN,
    replaySecret: parsed.REPLAY_SECRET,
  };
}

/** Parses every variable; throws a ConfigError naming the first bad one. */
export function parseConfig(vars: Partial<Record<keyof Parsed, unknown>>): Config {
  const result = schema.safeParse(vars);
  if (result.success) return toConfig(result.data);
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "configuration");
  const problem = issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
  throw new ConfigError(variable, problem);
}

const parsedByEnv = new WeakMap<object, Config>();

/** Parsed once per env object (once per isolate in production). */
export function loadConfig(env: Env): Config {
  let config = parsedByEnv.get(env);
  if (!config) {
    config = parseConfig(env as unknown as Record<keyof Parsed, unknown>);
    parsedByEnv.set(env, config);
  }
  return config;
}

/**
 * The one place that decides which shop a request is for. Today a deployment
 * serves one shop; the host parameter is where several shops sharing one
 * deployment will be told apart. Every piece of per-shop state is keyed by `id`.
 */
export function resolveShop(env: Env, _host: string): Shop {
  return { id: "default", config: loadConfig(env) };
}
