import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv, Env } from "../env";
import { wantsJson } from "../http/negotiate";
import { log } from "../log";
import { awaitBriefly } from "../shared-copy";
import { Layout } from "../shopper/layout";
import { renderPage } from "../shopper/render";
import { counterShard } from "./counter";
import { leaseSize, Leases, type Verdict } from "./leases";

export type Bucket = keyof Config["rateLimits"];

const WINDOW_MS = 60_000;

/**
 * The client a limit applies to: CF-Connecting-IP, with IPv6 clients grouped
 * by their /64 (one subscriber line owns a whole /64, so single addresses
 * would be free to rotate).
 */
export function clientKey(request: Request): string {
  const ip = request.headers.get("cf-connecting-ip")?.trim().toLowerCase() ?? "";
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  // An IPv4 client seen through an IPv6 socket (::ffff:192.0.2.1) is still that IPv4 client.
  if (ip.includes(".")) return ip.slice(ip.lastIndexOf(":") + 1);
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

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

/** Leases per isolate (one env object per isolate). */
const leasesByIsolate = new WeakMap<Env, Leases>();

function isolateLeases(env: Env): Leases {
  let leases = leasesByIsolate.get(env);
  if (!leases) leasesByIsolate.set(env, (leases = new Leases()));
  return leases;
}

/**
 * Limits how often one client may use a route: RATE_LIMIT_<BUCKET>_PER_MIN
 * requests per minute, then 429 with Retry-After (JSON for API clients, a
 * page for browsers). The count is shared by all isolates (COUNTER_SHARDS
 * counter objects per shop and bucket); each isolate leases requests from it
 * (a tenth of the limit, at most 100, at a time) and remembers a refusal
 * until the window ends. If the counter cannot be reached the request goes
 * through: losing a sale is worse than letting a burst pass.
 *
 * @example app.post("/__stayopen/notify", rateLimit("notify"), subscribe)
 */
export function rateLimit(bucket: Bucket): MiddlewareHandler<AppEnv> {
  return async function limitRate(c, next) {
    return (await rateLimitRefusal(c, bucket)) ?? next();
  };
}

/** Counter calls on their way, per isolate and client key: one at a time, the others wait for its lease. */
const asking = new Map<string, { settled: Promise<unknown>; at: number }>();

/** How long a request waits for another's counter call before it asks itself (that call may belong to a cancelled request). */
const JOIN_ASK_MS = 1_000;
/** A request whose neighbours used up each new lease before it got a turn asks itself after this many. */
const MAX_JOINS = 4;

/**
 * Takes one request of the client's allowance: from this isolate's lease, or
 * by asking the counter for a new one. Concurrent requests of one client wait
 * for a single ask and share its lease; if each asked, each would take a whole
 * lease and keep one request of it, and the client would be refused long
 * before its limit.
 */
async function decide(c: Context<AppEnv>, bucket: Bucket, client: string, key: string): Promise<Verdict | null> {
  const shop = c.get("shop");
  const leases = isolateLeases(c.env);
  let decision = leases.use(key, Date.now());
  for (let joined = 0; decision === "ask" && joined < MAX_JOINS; joined++) {
    const pending = asking.get(key);
    // A call older than the wait belongs to a request that was cancelled mid-way: it may never settle.
    if (!pending || Date.now() - pending.at >= JOIN_ASK_MS) break;
    await awaitBriefly(pending.settled, JOIN_ASK_MS);
    decision = leases.use(key, Date.now());
  }
  if (decision !== "ask") return decision;

  const asked = Date.now();
  const limit = shop.config.rateLimits[bucket];
  const ask = (async () =>
    c.env.RATE_LIMITER.getByName(JSON.stringify([shop.id, bucket, counterShard(client)])).take(
      client,
      limit,
      WINDOW_MS,
      leaseSize(limit),
    ))();
  const pending = { settled: ask.catch(() => {}), at: asked };
  asking.set(key, pending);
  try {
    // Timed from before the call, so a lease never outlives the counter's window.
    return leases.record(key, await ask, asked);
  } catch (error) {
    log("warn", "rate_limit_unavailable", { shop: shop.id, bucket, error: String(error) });
    return null;
  } finally {
    if (asking.get(key) === pending) asking.delete(key);
  }
}

/** Counts this request against the bucket: the 429 to answer when the client is over its limit, else null. */
export async function rateLimitRefusal(c: Context<AppEnv>, bucket: Bucket): Promise<Response | null> {
  const shop = c.get("shop");
  const client = clientKey(c.req.raw);
  const decision = await decide(c, bucket, client, JSON.stringify([shop.id, bucket, client]));
  // No answer from the counter: the request goes through; losing a sale is worse than letting a burst pass.
  if (decision === null || decision === "allowed") return null;

  log("info", "rate_limited", { shop: shop.id, bucket, client });
  const headers = {
    "retry-after": String(decision.retryAfterS),
    "cache-control": "no-store",
    "x-stayopen-source": "edge",
  };
  // A client that sent JSON reads JSON, even without an Accept header.
  if (wantsJson(c.req.raw) || /json/i.test(c.req.header("content-type") ?? "")) {
    return c.json(
      {
        error: "rate_limited",
        message: `Too many requests; try again in ${decision.retryAfterS} seconds.`,
        retryAfter: decision.retryAfterS,
      },
      429,
      headers,
    );
  }
  return renderPage(c, <TooManyRequestsPage config={shop.config} retryAfterS={decision.retryAfterS} />, 429, headers);
}
