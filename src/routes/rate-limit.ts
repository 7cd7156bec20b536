import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../config/env";
import { rateLimitVerdict, type Bucket } from "../limits/rate-limit";
import { tooManyRequests } from "../shopper/too-many-requests";

/** Counts this request against the bucket: the 429 to answer when the client is over its limit, else null. */
export async function rateLimitRefusal(c: Context<AppEnv>, bucket: Bucket): Promise<Response | null> {
  const verdict = await rateLimitVerdict(c, bucket);
  return verdict ? tooManyRequests(c, verdict.retryAfterS) : null;
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
