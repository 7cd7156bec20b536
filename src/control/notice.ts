import type { Context } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv } from "../config/env";
import { originHealth } from "../origin/health";
import { forcedMaintenance } from "./forced";
import type { ForcedMaintenance } from "./maintenance";

/**
 * What a 503 page says and how long it asks clients to wait (never less than
 * what is left of a maintenance window the operator set an end for). After
 * MAX_503_HOURS of continuous unavailability the status stays an honest 503,
 * but the copy turns into a longer-term notice and Retry-After grows to
 * CAPPED_RETRY_AFTER_S, so crawlers come back less often instead of being
 * told every two minutes that the shop is about to return.
 */
export type UnavailableNotice = {
  message: string | null;
  retryAfterS: number;
  /** The operator forced maintenance (as opposed to the origin failing). */
  planned: boolean;
  longOutage: boolean;
  /** When forced maintenance is planned to end, if the operator said. */
  until: number | null;
};

type NoticeInput = {
  forced: ForcedMaintenance | null;
  /** When the origin's current outage began, if it is down. */
  downSince: number | null;
  message: string | null;
  now: number;
  config: Pick<Config, "retryAfterS" | "max503Hours" | "cappedRetryAfterS">;
};

export function unavailableNotice({ forced, downSince, message, now, config }: NoticeInput): UnavailableNotice {
  const starts = [forced?.since, downSince].filter((at): at is number => typeof at === "number");
  const longOutage = starts.length > 0 && now - Math.min(...starts) >= config.max503Hours * 3_600_000;
  const retryAfterS = longOutage ? Math.max(config.cappedRetryAfterS, config.retryAfterS) : config.retryAfterS;
  const until = forced?.until != null && forced.until > now ? forced.until : null;
  return {
    message: message ?? forced?.message ?? null,
    // Nobody is let in before the operator's window ends, so clients are not asked back before it.
    retryAfterS: until === null ? retryAfterS : Math.max(retryAfterS, Math.ceil((until - now) / 1000)),
    planned: forced !== null,
    longOutage,
    until,
  };
}

/** The notice for this request: the operator's incident message while maintenance is forced. */
export function noticeFor(c: Context<AppEnv>, message: string | null, now = Date.now()): UnavailableNotice {
  const shop = c.get("shop");
  return unavailableNotice({
    forced: forcedMaintenance(c),
    downSince: originHealth(shop).downSince,
    message,
    now,
    config: shop.config,
  });
}
