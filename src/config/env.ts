import type { VARIABLES } from "./schema";

/** The secrets (the variables the schema marks secret), which never live in wrangler.toml; any may be unset. */
type Secrets = {
  [Name in keyof typeof VARIABLES as (typeof VARIABLES)[Name] extends { secret: true } ? Name : never]?: string;
};

/**
 * Bindings and vars from `wrangler types`, plus the secrets. The generated
 * type lists the secrets of .dev.vars.example as always set; they are not.
 */
export type Env = Omit<Cloudflare.Env, keyof Secrets> & Secrets;

/** Request-scoped values are typed where they are set, each once (`declare module "hono"`). */
export type AppEnv = { Bindings: Env };
