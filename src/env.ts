/** The secrets, which never live in wrangler.toml; any of them may be unset. */
type Secrets = {
  ADMIN_TOKEN?: string;
  REPLAY_SECRET?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
};

/**
 * Bindings and vars from `wrangler types`, plus the secrets. The generated
 * type lists the secrets of .dev.vars.example as always set; they are not.
 */
export type Env = Omit<Cloudflare.Env, keyof Secrets> & Secrets;

/** Request-scoped values are typed where they are set, each once (`declare module "hono"`). */
export type AppEnv = { Bindings: Env };
