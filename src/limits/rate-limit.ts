import type { Context } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv, Env } from "../config/env";
import { log } from "../log";
import { awaitBriefly } from "../shared-copy";
import { rateLimitCounter } from "./counter";
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

/** Leases per isolate (one env object per isolate). */
const leasesByIsolate = new WeakMap<Env, Leases>();

function isolateLeases(env: Env): Leases {
  let leases = leasesByIsolate.get(env);
  if (!leases) leasesByIsolate.set(env, (leases = new Leases()));
  return leases;
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
    rateLimitCounter(c.env, shop.id, bucket, client).take(client, limit, WINDOW_MS, leaseSize(limit)))();
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

/** Counts this request against the bucket: how long to wait when the client is over its limit, else null. */
export async function rateLimitVerdict(c: Context<AppEnv>, bucket: Bucket): Promise<{ retryAfterS: number } | null> {
  const shop = c.get("shop");
  const client = clientKey(c.req.raw);
  const decision = await decide(c, bucket, client, JSON.stringify([shop.id, bucket, client]));
  // No answer from the counter: the request goes through; losing a sale is worse than letting a burst pass.
  if (decision === null || decision === "allowed") return null;

  log("info", "rate_limited", { shop: shop.id, bucket, client });
  return { retryAfterS: decision.retryAfterS };
}
