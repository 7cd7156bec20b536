import type { Shop } from "./config";

/** Bindings and vars from `wrangler types`, plus the secrets that never live in wrangler.toml. */
export type Env = Cloudflare.Env & {
  ADMIN_TOKEN?: string;
  REPLAY_SECRET?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
};

export type AppEnv = {
  Bindings: Env;
  Variables: { shop: Shop };
};

declare module "hono" {
  interface ContextVariableMap {
    shop: Shop;
  }
}
