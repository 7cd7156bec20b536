import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../config/env";
import { loadConfig, problemWith } from "../config/shop";
import { ConfigError } from "../http/errors";
import { requireOperator, type OperatorDoor } from "../admin/auth";
import { PLATFORM_BASE } from "../http/wire";

/**
 * The platform's own state (wrong-token counts, ended dashboard sessions) is
 * kept under an id no shop can have (shop ids start with a letter or digit).
 */
export const PLATFORM_ID = "_platform";

/** The platform API and dashboard: PLATFORM_TOKEN only; without it they do not exist (404). */
export const PLATFORM_DOOR: OperatorDoor = {
  name: "platform",
  base: PLATFORM_BASE,
  session: { cookie: "stayopen_platform", path: PLATFORM_BASE },
  tokenName: "PLATFORM_TOKEN",
  lock(c) {
    const config = loadConfig(c.env);
    // Set but unusable (too short): the platform is closed with the reason, like an unusable ADMIN_TOKEN.
    const unusable = problemWith(config, "PLATFORM_TOKEN");
    if (unusable) throw new ConfigError(unusable);
    const token = config.platformToken;
    // Its sessions are signed with a key no shop's admin door uses, so a platform cookie opens nothing else.
    return token ? { tokens: [token], sessionKey: `platform:${token}` } : null;
  },
};

/**
 * The platform answers on every host, registered or not, as the deployment
 * itself: its pages wear the deployment's vars (not a shop's branding) and
 * wrong tokens count against the client under the platform's own id, with
 * the deployment's RATE_LIMIT_ADMIN_FAILURES_PER_MIN.
 *
 * @example platform.use("*", asPlatform(), requireOperator(PLATFORM_DOOR))
 */
export function asPlatform(): MiddlewareHandler<AppEnv> {
  return async function asPlatform(c, next) {
    c.set("shop", { id: PLATFORM_ID, config: loadConfig(c.env), hosts: [] });
    await next();
  };
}

export const requirePlatform = (): MiddlewareHandler<AppEnv> => requireOperator(PLATFORM_DOOR);
