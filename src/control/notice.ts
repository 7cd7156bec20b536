import type { Context } from "hono";
import type { Config } from "../config";
import type { AppEnv } from "../env";
import { originHealth } from "../origin/health";
import { forcedMaintenance } from "./forced";
import type { ForcedMaintenance } from "./maintenance";

/**
 * What a 503 page says and how long it asks clients to wait. After
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
  return {
    message: message ?? forced?.message ?? null,
    retryAfterS: longOutage ? Math.max(config.cappedRetryAfterS, config.retryAfterS) : config.retryAfterS,
    planned: forced !== null,
    longOutage,
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
