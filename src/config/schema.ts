import { z } from "zod";
import type { IpRange } from "../http/cidr";
import {
  backupOrigin,
  cookieName,
  csv,
  email,
  hexColor,
  httpUrl,
  int,
  ipRange,
  jsonArray,
  listedPath,
  onOff,
  optional,
  orDefault,
  orderPath,
  orderReplies,
  originUrl,
  path,
  pathPattern,
  shortText,
  snapshotStatus,
  standardWebhooksSecret,
  statusRanges,
  stripeSecretKey,
  stripeWebhookSecret,
  token,
  urlOrPath,
  type JsonValue,
} from "./fields";
import type { StatusRange } from "./status-ranges";

/** The most distinct failing paths a breaker tracks (so BREAKER_MIN_PATHS cannot ask for more). */
export const MAX_TRACKED_PATHS = 16;

/**
 * One schema parses every variable once per `env` object; the rest of the code
 * only sees the typed `Config`. A bad value is an error naming the variable,
 * never a silent default. Each variable is one kind of field (fields.ts).
 */

const schema = z
  .object({
    ORIGIN_URL: originUrl,
    ORIGIN_TIMEOUT_MS: int(100, 60_000, 3000),
    BREAKER_FAILURES: int(1, 1000, 3),
    BREAKER_COOLDOWN_MS: int(100, 3_600_000, 10_000),
    BREAKER_MIN_PATHS: int(1, MAX_TRACKED_PATHS, 3),
    HEALTH_PATH: orDefault(path, "/"),
    ORDER_PATHS: csv(orderPath, "POST /api/orders"),
    // A Durable Object row holds at most 2 MB, and a queued order is one row.
    ORDER_REPLIES: orderReplies,
    ORDER_MAX_BYTES: int(256, 1024 * 1024, 65_536),
    ORDER_MAX_DEPTH: int(1, 1024, 64),
    ORDER_SHARDS: int(1, 256, 16),
    ORDER_REPLAY_CONCURRENCY: int(1, 64, 8),
    ORDER_RETRY_BASE_MS: int(100, 3_600_000, 1000),
    ORDER_RETRY_MAX_MS: int(1000, 86_400_000, 60_000),
    ORDER_MAX_ATTEMPTS: int(1, 10_000, 10),
    ORDER_MAX_RETRY_HOURS: int(1, 8_760, 72),
    CRITICAL_PATHS: csv(listedPath, "/"),
    CLIENT_SCRIPT_PATHS: csv(pathPattern, ""),
    SITEMAP_URL: optional(urlOrPath),
    SHOP_NAME: orDefault(shortText(80), "Our shop"),
    BRAND_COLOR: orDefault(hexColor, "#1f6feb"),
    LOGO_URL: optional(urlOrPath),
    SUPPORT_EMAIL: optional(email),
    RETRY_AFTER_S: int(1, 86_400, 120),
    CATALOG_FEED_URL: optional(urlOrPath),
    NOTIFY_WEBHOOK_URL: optional(httpUrl),
    SESSION_COOKIES: csv(cookieName, "session,sessionid,PHPSESSID,connect.sid,_session_id"),
    ANONYMOUS_COOKIES: csv(cookieName, ""),
    BACKUP_ORIGINS: jsonArray(backupOrigin, '[{"url":"https://dr.example.com","orders":false}]'),
    STATIC_BACKUP: onOff("off"),
    SNAPSHOT_STATUSES: csv(snapshotStatus, "200"),
    SNAPSHOT_REFRESH_S: int(1, 86_400, 60),
    SNAPSHOT_MAX_BYTES: int(1024, 25 * 1024 * 1024, 2 * 1024 * 1024),
    SNAPSHOT_NEW_KEYS_PER_MIN: int(0, 100_000, 120),
    SHOP_URL: optional(httpUrl),
    SWR_DEFAULT_S: int(0, 31_536_000, 0),
    STALE_IF_ERROR_DEFAULT_S: int(0, 30 * 86_400, 7 * 86_400),
    PREWARM_MAX_PAGES: int(0, 500, 50),
    PREWARM_MAX_AGE_S: int(60, 30 * 86_400, 3600),
    BREAKER_SYNC_MS: int(100, 60_000, 1000),
    PROBE_INTERVAL_MS: int(500, 3_600_000, 5000),
    PROBE_TIMEOUT_MS: int(100, 60_000, 2000),
    PROBE_EXPECT_STATUS: statusRanges("200-399"),
    PROBE_HEALTHY_THRESHOLD: int(1, 100, 1),
    PROBE_UNHEALTHY_THRESHOLD: int(1, 100, 3),
    PROBE_IDLE_INTERVAL_MS: int(0, 86_400_000, 60_000).refine(
      (ms) => ms === 0 || ms >= 1000,
      "must be 0 (off) or at least 1000",
    ),
    SLOW_START_MS: int(0, 3_600_000, 0),
    INCIDENT_MIN_S: int(0, 86_400, 60),
    BYPASS_IPS: csv(ipRange, ""),
    BYPASS_TTL_S: int(60, 30 * 86_400, 43_200),
    MAX_503_HOURS: int(1, 8760, 48),
    CAPPED_RETRY_AFTER_S: int(1, 86_400, 3600),
    ADMIN_TOKEN: optional(token(16)),
    REPLAY_SECRET: optional(standardWebhooksSecret),
    STRIPE_API_BASE: orDefault(httpUrl, "https://api.stripe.com"),
    STRIPE_SECRET_KEY: optional(stripeSecretKey),
    STRIPE_WEBHOOK_SECRET: optional(stripeWebhookSecret),
    PLATFORM_TOKEN: optional(token(32)),
    RATE_LIMIT_ORDERS_PER_MIN: int(1, 100_000, 600),
    RATE_LIMIT_CHECKOUT_PER_MIN: int(1, 100_000, 600),
    RATE_LIMIT_NOTIFY_PER_MIN: int(1, 100_000, 10),
    RATE_LIMIT_ADMIN_FAILURES_PER_MIN: int(1, 1000, 10),
  })
  .superRefine((vars, ctx) => {
    for (const issue of crossFieldIssues(vars)) ctx.addIssue({ code: "custom", ...issue });
  });

type Parsed = z.output<typeof schema>;

/** What docs/configuration.md says of a variable; a secret is set with `wrangler secret put`, never in wrangler.toml. */
export type VariableDoc = { meaning: string; secret?: true };

/**
 * Each variable's meaning, in the order docs/configuration.md lists them
 * (`npm run config:doc` renders that page from this and the schema's
 * defaults). A variable of the schema without one is a type error.
 */
export const VARIABLES = {
  ORIGIN_URL: { meaning: "the shop's origin, e.g. `https://origin.shop.example`" },
  ORIGIN_TIMEOUT_MS: {
    meaning: "deadline for the origin's response headers (bodies then stream as long as they take)",
  },
  BREAKER_FAILURES: { meaning: "consecutive failures that open the circuit breaker" },
  BREAKER_COOLDOWN_MS: { meaning: "how long the breaker stays open before health probes may close it" },
  BREAKER_MIN_PATHS: {
    meaning:
      "distinct paths failures must span to open the breaker without a failed health probe (one URL alone never does)",
  },
  BREAKER_SYNC_MS: { meaning: "how often an isolate exchanges breaker reports and state with the shared monitor" },
  HEALTH_PATH: { meaning: "path probed for origin health" },
  PROBE_INTERVAL_MS: { meaning: "probe interval while the breaker is open or half-open" },
  PROBE_IDLE_INTERVAL_MS: { meaning: "probe interval while closed (`0` = off)" },
  PROBE_TIMEOUT_MS: { meaning: "timeout of one probe" },
  PROBE_EXPECT_STATUS: { meaning: "statuses that count as healthy, e.g. `200-299,404`" },
  PROBE_HEALTHY_THRESHOLD: {
    meaning: "consecutive good probes that close the breaker (1: one probe decides, as the contract says)",
  },
  PROBE_UNHEALTHY_THRESHOLD: { meaning: "consecutive failed probes that open a closed breaker" },
  SLOW_START_MS: {
    meaning:
      "opt in (e.g. `30000`): after recovery the origin's share of concurrent catalog reads ramps from 10 % to 100 % over this long (a lone read always goes to the origin)",
  },
  INCIDENT_MIN_S: {
    meaning:
      "outages or maintenance shorter than this many seconds are merged into the one before (when it ended less than this long ago) or left out of the incident history",
  },
  ORDER_PATHS: {
    meaning:
      "comma-separated `METHOD /path` entries that are orders (`*` matches one path segment, a trailing `*` any rest)",
  },
  ORDER_REPLIES: {
    meaning:
      "JSON: the reply an order route's own checkout expects while the order is queued (see [docs/storefront-checkout.md](storefront-checkout.md))",
  },
  CLIENT_SCRIPT_PATHS: {
    meaning:
      "pages (e.g. `/checkout*`) that get `/__stayopen/client.js`, which confirms an order their own script placed while down",
  },
  ORDER_MAX_BYTES: { meaning: "largest order body, counted on the actual stream (at most 1 MiB)" },
  ORDER_MAX_DEPTH: {
    meaning: "deepest nesting of objects and arrays in a JSON order; a deeper body is refused with `400 body_too_deep`",
  },
  ORDER_SHARDS: { meaning: "order queue shards per shop (change only with an empty queue)" },
  ORDER_REPLAY_CONCURRENCY: { meaning: "most replays in flight per shard (the ramp starts at 1)" },
  ORDER_RETRY_BASE_MS: {
    meaning: "backoff floor: the first retry comes after a random delay between this and twice this",
  },
  ORDER_RETRY_MAX_MS: { meaning: "backoff cap" },
  ORDER_MAX_ATTEMPTS: {
    meaning:
      "retryable failures (5xx, 408/429, timeouts) while the origin takes other orders, after which an order needs attention",
  },
  ORDER_MAX_RETRY_HOURS: {
    meaning: "hours after queueing after which an order that still fails retryably needs attention",
  },
  CRITICAL_PATHS: {
    meaning: "comma-separated pages that must exist offline (pre-warmed, listed on the maintenance page)",
  },
  SITEMAP_URL: { meaning: "sitemap whose pages are pre-warmed too (URL or origin path)" },
  SHOP_URL: {
    meaning:
      "the public URL shoppers use; the cron pre-warm and the static export key snapshots by its host (empty = the hosts shoppers reached last)",
  },
  PREWARM_MAX_PAGES: { meaning: "pages per cron pre-warm run (`0` = off)" },
  PREWARM_MAX_AGE_S: { meaning: "the cron refreshes snapshots older than this" },
  SNAPSHOT_STATUSES: { meaning: "which statuses are snapshotted (`200`, optionally `301`, `404`)" },
  SNAPSHOT_REFRESH_S: { meaning: "each isolate re-stores a page at most this often (keeps KV writes low)" },
  SNAPSHOT_MAX_BYTES: { meaning: "larger responses stream through but are not snapshotted" },
  SNAPSHOT_NEW_KEYS_PER_MIN: {
    meaning:
      "new snapshot keys shopper traffic may create per minute per isolate and shop (random query strings cannot flood storage; refreshes and the cron are never capped; `0` = only the cron creates keys)",
  },
  SWR_DEFAULT_S: {
    meaning:
      "stale-while-revalidate window for pages whose Cache-Control names none (`0` = only when the origin opts in)",
  },
  STALE_IF_ERROR_DEFAULT_S: {
    meaning:
      "how long past freshness a snapshot may stand in for a failing origin, unless its Cache-Control has `stale-if-error`",
  },
  SESSION_COOKIES: { meaning: "cookies that mark a logged-in shopper; their requests never feed snapshots" },
  ANONYMOUS_COOKIES: {
    meaning:
      "session cookies the origin sets on every new visitor (e.g. `sid`): an answer to a cookieless request that sets only these is snapshotted without them; a request carrying one never feeds snapshots (see docs/storefront-snapshots.md)",
  },
  SHOP_NAME: { meaning: "shown on every page stayopen renders" },
  BRAND_COLOR: { meaning: "header colour (hex); the text colour is chosen for WCAG AA contrast" },
  LOGO_URL: { meaning: "logo image (the shop name is its alt text)" },
  SUPPORT_EMAIL: { meaning: "contact shown to shoppers" },
  RETRY_AFTER_S: { meaning: "`Retry-After` on 503 answers" },
  MAX_503_HOURS: { meaning: "after this long unavailable, pages without a snapshot get a softer message (still 503)" },
  CAPPED_RETRY_AFTER_S: { meaning: "`Retry-After` once capped" },
  CATALOG_FEED_URL: {
    meaning:
      'product feed (JSON, its format under "Selling while down" in [architecture](architecture.md)) used by the edge checkout',
  },
  NOTIFY_WEBHOOK_URL: { meaning: "where the recovery hand-over (subscribers, orders needing a payment link) is sent" },
  BACKUP_ORIGINS: { meaning: 'JSON array of backups, e.g. `[{"url":"https://dr.example.com","orders":false}]`' },
  STATIC_BACKUP: {
    meaning:
      "`on`: the cron exports the critical catalog with its assets to the R2 bucket bound as `STATIC_BACKUP_BUCKET`, the last backup before snapshots",
  },
  BYPASS_IPS: {
    meaning: "staff IPs or CIDR ranges (IPv4/IPv6, matched on `CF-Connecting-IP`) that always reach the origin",
  },
  BYPASS_TTL_S: { meaning: "lifetime of the staff bypass cookie" },
  RATE_LIMIT_ORDERS_PER_MIN: {
    meaning:
      "orders per minute per client IP that the edge holds while no origin can take them, then `429` + `Retry-After`; an answering origin limits its own API",
  },
  RATE_LIMIT_CHECKOUT_PER_MIN: {
    meaning: "requests per minute per client IP to `POST /__stayopen/checkout`, then `429` + `Retry-After`",
  },
  RATE_LIMIT_NOTIFY_PER_MIN: { meaning: "same for `POST /__stayopen/notify`" },
  RATE_LIMIT_ADMIN_FAILURES_PER_MIN: {
    meaning:
      "wrong admin tokens per minute per client IP (API and dashboard login), then `429`; the right token always works",
  },
  STRIPE_API_BASE: { meaning: "Stripe API base (tests point it at a local fake)" },
  ADMIN_TOKEN: {
    secret: true,
    meaning: "bearer token for the admin API and dashboard, at least 16 characters; unset = admin answers 404",
  },
  REPLAY_SECRET: {
    secret: true,
    meaning:
      "signs replayed orders and the recovery webhook (Standard Webhooks): `whsec_` and a base64 key of at least 16 bytes, read as the official libraries read it",
  },
  STRIPE_SECRET_KEY: { secret: true, meaning: 'restricted key; when set the edge checkout offers "Pay now by card"' },
  STRIPE_WEBHOOK_SECRET: { secret: true, meaning: "`whsec_…`, verifies `POST /__stayopen/payments/stripe/webhook`" },
  PLATFORM_TOKEN: {
    secret: true,
    meaning:
      "many shops on one deployment: bearer token of the platform API, at least 32 characters; it also keys the encryption of the registered shops' secrets. Unset = one shop, configured by these variables",
  },
} satisfies Record<keyof typeof schema.shape, VariableDoc>;

/** Each variable's schema, parsed on its own: what `parseConfig` reads and the documentation's defaults come from. */
export const VARIABLE_SCHEMAS: Readonly<Record<ConfigVariable, z.ZodType>> = schema.shape;

/** Scheme, host (lower-case) and path without trailing slashes: two spellings of one origin compare equal. */
const sameOrigin = (url: string) => (URL.canParse(url) ? new URL(url).href : url).replace(/\/+$/, "");

type CrossFieldIssue = { path: [keyof Parsed, ...(string | number)[]]; message: string };

/** The rules between variables, on parsed values: one list for the schema and for `parseConfig`. */
function crossFieldIssues(vars: Parsed): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  if (vars.ORDER_RETRY_MAX_MS < vars.ORDER_RETRY_BASE_MS) {
    issues.push({ path: ["ORDER_RETRY_MAX_MS"], message: "must be at least ORDER_RETRY_BASE_MS" });
  }
  // A backup that is the primary, or one listed twice, would be asked twice for every failed read.
  const seen = [sameOrigin(vars.ORIGIN_URL)];
  vars.BACKUP_ORIGINS.forEach((backup, index) => {
    const url = sameOrigin(backup.url);
    if (seen.includes(url)) {
      const message = url === seen[0] ? "is ORIGIN_URL itself" : "is listed twice";
      issues.push({ path: ["BACKUP_ORIGINS", index, "url"], message });
    }
    seen.push(url);
  });
  // A reply for a route that is not an order would never be sent: say so rather than ignore it.
  for (const route of Object.keys(vars.ORDER_REPLIES)) {
    const parsed = orderPath.safeParse(route.trim());
    const known =
      parsed.success &&
      vars.ORDER_PATHS.some((order) => order.method === parsed.data.method && order.pattern === parsed.data.pattern);
    if (!known)
      issues.push({
        path: ["ORDER_REPLIES", route],
        message: parsed.success
          ? `is not an order route: add "${route.trim()}" to ORDER_PATHS too`
          : 'must be an order route like "POST /api/orders", also listed in ORDER_PATHS',
      });
  }
  return issues;
}

export type OrderRoute = { method: string; pattern: string };
/** What a queued order on one route is answered with (ORDER_REPLIES); `body` is a template. */
export type OrderReply = OrderRoute & { status: 200 | 201 | 202 | 203; body: JsonValue };
export type BackupOrigin = { url: string; orders: boolean };
export type OrderQueueConfig = {
  shards: number;
  replayConcurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  maxRetryMs: number;
};
/** Stripe Checkout is offered only when a key is set; the webhook only when its secret is. */
export type StripeConfig = { apiBase: string; secretKey?: string; webhookSecret?: string };
/** `adminFailures` counts wrong admin tokens (API and login) only: the right one always works. */
export type RateLimits = { orders: number; checkout: number; notify: number; adminFailures: number };
/** Active health checks on HEALTH_PATH, run by the OriginMonitor. */
export type ProbeConfig = {
  intervalMs: number;
  /** 0 = no probes while the breaker is closed. */
  idleIntervalMs: number;
  timeoutMs: number;
  expectStatus: StatusRange[];
  healthyThreshold: number;
  unhealthyThreshold: number;
};

export type Config = {
  originUrl: string;
  originTimeoutMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Distinct paths a run of failures must span to open the breaker without a failed health probe. */
  breakerMinPaths: number;
  healthPath: string;
  orderPaths: OrderRoute[];
  /** Replies a shop's own checkout expects for a queued order, by route; others get the contract's 202. */
  orderReplies: OrderReply[];
  orderMaxBytes: number;
  /** How deep a JSON order may nest objects and arrays. */
  orderMaxDepth: number;
  /** The edge order queue: shard count, replay in-flight cap per shard, retry backoff window. */
  orderQueue: OrderQueueConfig;
  criticalPaths: string[];
  /** Pages (patterns as in ORDER_PATHS) that get the checkout helper script, /__stayopen/client.js. */
  clientScriptPaths: string[];
  sitemapUrl?: string;
  shopName: string;
  brandColor: string;
  logoUrl?: string;
  supportEmail?: string;
  retryAfterS: number;
  catalogFeedUrl?: string;
  notifyWebhookUrl?: string;
  sessionCookies: string[];
  /** Cookies the origin hands every new visitor; an answer setting only these to a cookieless request may be stored. */
  anonymousCookies: string[];
  backupOrigins: BackupOrigin[];
  /** The cron exports the critical catalog to R2 (binding STATIC_BACKUP_BUCKET), the last backup before snapshots. */
  staticBackup: boolean;
  snapshotStatuses: number[];
  snapshotRefreshS: number;
  snapshotMaxBytes: number;
  /** Shopper traffic may create at most this many new snapshot keys per minute per isolate and shop. */
  snapshotNewKeysPerMin: number;
  /** The public URL shoppers use (scheme and host); cron pre-warm needs it to key snapshots. */
  shopUrl?: string;
  /** Stale-while-revalidate and stale-if-error windows for pages whose Cache-Control names none. */
  swrDefaultS: number;
  staleIfErrorDefaultS: number;
  /** Cron pre-warm: at most this many pages per run, refreshing snapshots older than maxAgeS. */
  prewarm: { maxPages: number; maxAgeS: number };
  /** How often an isolate exchanges breaker reports and state with the OriginMonitor. */
  breakerSyncMs: number;
  probe: ProbeConfig;
  slowStartMs: number;
  /** Outages and maintenance shorter than this are merged into a neighbour or left out of the incident history. */
  incidentMinS: number;
  bypassIps: IpRange[];
  bypassTtlS: number;
  /** After this long unavailable, 503 pages switch to the softer, longer-term notice. */
  max503Hours: number;
  cappedRetryAfterS: number;
  adminToken?: string;
  replaySecret?: string;
  /** The deployment's platform token: set, the shop registry decides which shop a host is (config/shops.ts). */
  platformToken?: string;
  stripe: StripeConfig;
  /** Requests per minute per client IP. */
  rateLimits: RateLimits;
  /** Variables whose values are unusable, each taken as unset; empty when the configuration is clean. */
  problems: ConfigProblem[];
};

function toConfig(parsed: Parsed): Omit<Config, "problems"> {
  return {
    originUrl: parsed.ORIGIN_URL,
    originTimeoutMs: parsed.ORIGIN_TIMEOUT_MS,
    breakerFailures: parsed.BREAKER_FAILURES,
    breakerCooldownMs: parsed.BREAKER_COOLDOWN_MS,
    breakerMinPaths: parsed.BREAKER_MIN_PATHS,
    healthPath: parsed.HEALTH_PATH,
    orderPaths: parsed.ORDER_PATHS,
    orderReplies: Object.entries(parsed.ORDER_REPLIES).map(([route, reply]) => ({
      ...orderPath.parse(route.trim()),
      status: reply.status as OrderReply["status"],
      body: reply.body as JsonValue,
    })),
    orderMaxBytes: parsed.ORDER_MAX_BYTES,
    orderMaxDepth: parsed.ORDER_MAX_DEPTH,
    orderQueue: {
      shards: parsed.ORDER_SHARDS,
      replayConcurrency: parsed.ORDER_REPLAY_CONCURRENCY,
      retryBaseMs: parsed.ORDER_RETRY_BASE_MS,
      retryMaxMs: parsed.ORDER_RETRY_MAX_MS,
      maxAttempts: parsed.ORDER_MAX_ATTEMPTS,
      maxRetryMs: parsed.ORDER_MAX_RETRY_HOURS * 3_600_000,
    },
    criticalPaths: parsed.CRITICAL_PATHS,
    clientScriptPaths: parsed.CLIENT_SCRIPT_PATHS,
    sitemapUrl: parsed.SITEMAP_URL,
    shopName: parsed.SHOP_NAME,
    brandColor: parsed.BRAND_COLOR,
    logoUrl: parsed.LOGO_URL,
    supportEmail: parsed.SUPPORT_EMAIL,
    retryAfterS: parsed.RETRY_AFTER_S,
    catalogFeedUrl: parsed.CATALOG_FEED_URL,
    notifyWebhookUrl: parsed.NOTIFY_WEBHOOK_URL,
    sessionCookies: parsed.SESSION_COOKIES,
    anonymousCookies: parsed.ANONYMOUS_COOKIES,
    backupOrigins: parsed.BACKUP_ORIGINS,
    staticBackup: parsed.STATIC_BACKUP,
    snapshotStatuses: parsed.SNAPSHOT_STATUSES,
    snapshotRefreshS: parsed.SNAPSHOT_REFRESH_S,
    snapshotMaxBytes: parsed.SNAPSHOT_MAX_BYTES,
    snapshotNewKeysPerMin: parsed.SNAPSHOT_NEW_KEYS_PER_MIN,
    shopUrl: parsed.SHOP_URL,
    swrDefaultS: parsed.SWR_DEFAULT_S,
    staleIfErrorDefaultS: parsed.STALE_IF_ERROR_DEFAULT_S,
    prewarm: { maxPages: parsed.PREWARM_MAX_PAGES, maxAgeS: parsed.PREWARM_MAX_AGE_S },
    breakerSyncMs: parsed.BREAKER_SYNC_MS,
    probe: {
      intervalMs: parsed.PROBE_INTERVAL_MS,
      idleIntervalMs: parsed.PROBE_IDLE_INTERVAL_MS,
      timeoutMs: parsed.PROBE_TIMEOUT_MS,
      expectStatus: parsed.PROBE_EXPECT_STATUS,
      healthyThreshold: parsed.PROBE_HEALTHY_THRESHOLD,
      unhealthyThreshold: parsed.PROBE_UNHEALTHY_THRESHOLD,
    },
    slowStartMs: parsed.SLOW_START_MS,
    incidentMinS: parsed.INCIDENT_MIN_S,
    bypassIps: parsed.BYPASS_IPS,
    bypassTtlS: parsed.BYPASS_TTL_S,
    max503Hours: parsed.MAX_503_HOURS,
    cappedRetryAfterS: parsed.CAPPED_RETRY_AFTER_S,
    adminToken: parsed.ADMIN_TOKEN,
    replaySecret: parsed.REPLAY_SECRET,
    platformToken: parsed.PLATFORM_TOKEN,
    stripe: {
      apiBase: parsed.STRIPE_API_BASE,
      secretKey: parsed.STRIPE_SECRET_KEY,
      webhookSecret: parsed.STRIPE_WEBHOOK_SECRET,
    },
    rateLimits: {
      orders: parsed.RATE_LIMIT_ORDERS_PER_MIN,
      checkout: parsed.RATE_LIMIT_CHECKOUT_PER_MIN,
      notify: parsed.RATE_LIMIT_NOTIFY_PER_MIN,
      adminFailures: parsed.RATE_LIMIT_ADMIN_FAILURES_PER_MIN,
    },
  };
}

/**
 * A variable whose value is unusable: `message` names it and says what is
 * wrong ("ADMIN_TOKEN must be at least 16 characters"), never echoing the value.
 */
export type ConfigProblem = { variable: string; message: string };

/** Every variable's name, from the schema (wrangler's generated Env lists only those wrangler.toml sets). */
export type ConfigVariable = keyof Parsed;
type Vars = Partial<Record<ConfigVariable, unknown>>;
type Shape = typeof schema.shape;

/**
 * Parses each variable on its own, so one bad value never hides the others or
 * stops the shop: a bad variable is taken as unset (an optional feature is
 * off, a knob runs at its documented default) and listed in `problems`, which
 * the status, the readiness report and the log name. Without a usable
 * ORIGIN_URL `originUrl` is "" and the shop cannot run (`originProblem`).
 */
export function parseConfig(vars: Vars): Config {
  const text = asText(vars);
  const problems: ConfigProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape) as [keyof Shape, z.ZodType][]) {
    const result = field.safeParse(text[name]);
    if (result.success) {
      values[name] = result.data;
      continue;
    }
    const issue = result.error.issues[0]!;
    problems.push(describe(name, { ...issue, path: [name, ...issue.path] }));
    values[name] = unsetValue(field);
  }
  // Rules between variables, on the values in use: the variable a rule names is taken as unset too.
  for (const issue of crossFieldIssues(values as Parsed)) {
    const name = issue.path[0];
    if (problems.some((problem) => problem.variable === name)) continue;
    problems.push(describe(name, issue));
    values[name] = unsetValue(schema.shape[name]);
  }
  return { ...toConfig(values as Parsed), problems };
}

/** A variable's value when it is not set: its documented default, undefined for an optional one, "" for ORIGIN_URL. */
function unsetValue(field: z.ZodType): unknown {
  const unset = field.safeParse(undefined);
  return unset.success ? unset.data : "";
}

function describe(name: string, issue: { path: PropertyKey[]; message: string; code?: string }): ConfigProblem {
  // Inside a JSON value (BACKUP_ORIGINS), where: `[0].orders`.
  const where = issue.path
    .slice(1)
    .map((key) =>
      typeof key === "number"
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(key))
          ? `.${String(key)}`
          : `[${JSON.stringify(String(key))}]`,
    )
    .join("");
  // zod does not keep the input; its message says what it received.
  const missing = issue.code === "invalid_type" && /received undefined$/.test(issue.message);
  const problem = where
    ? `${where.replace(/^\./, "")} ${missing ? "is required" : `is wrong: ${issue.message}`}`
    : missing
      ? "is required"
      : issue.message;
  return { variable: name, message: `${name} ${problem}` };
}

/**
 * Vars arrive as text from `--var` and the dashboard, but wrangler.toml may
 * hold a TOML number, boolean or array (`ORIGIN_TIMEOUT_MS = 3000`,
 * `BACKUP_ORIGINS = [{ url = "…" }]`): each is read as the text it stands for.
 */
function asText(vars: Partial<Record<keyof Parsed, unknown>>): Record<string, unknown> {
  const text: Record<string, unknown> = {};
  for (const name of Object.keys(schema.shape) as (keyof Parsed)[]) {
    const value = vars[name];
    text[name] =
      typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : value;
  }
  return text;
}
