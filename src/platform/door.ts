import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../config/env";
import { deploymentConfig, problemWith } from "../config/shop";
import { ConfigError } from "../http/errors";
import { hostOf } from "../http/host";
import { DEFAULT_SHOP_ID } from "../config/registry";
import { resolveShop } from "../config/shops";
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
    const config = deploymentConfig(c.env);
    // Set but unusable (too short): the platform is closed with the reason, like an unusable ADMIN_TOKEN.
    const unusable = problemWith(config, "PLATFORM_TOKEN");
    if (unusable) throw new ConfigError(unusable);
    const token = config.platformToken;
    // Its sessions are signed with a key no shop's admin door uses, so a platform cookie opens nothing else.
    return token ? { tokens: [token], loginTokens: [token], sessionKey: `platform:${token}` } : null;
  },
  // A shop's host serves pages of the shop's own origin: a script there could read a platform dashboard on
  // the same origin (its CSRF token included) or a service worker catch the login. Browsers log in on a
  // host no shop owns (the Worker's own fallback hostname); the API takes the bearer token everywhere.
  async sessionsHere(c) {
    try {
      const shop = await resolveShop(c.env, hostOf(c.req.url));
      return shop === null || shop.id === DEFAULT_SHOP_ID;
    } catch {
      // The registry did not answer: whose host this is is unknown, so no session here.
      return false;
    }
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
    c.set("shop", { id: PLATFORM_ID, config: deploymentConfig(c.env), hosts: [] });
    await next();
  };
}

export const requirePlatform = (): MiddlewareHandler<AppEnv> => requireOperator(PLATFORM_DOOR);
