import type { MiddlewareHandler } from "hono";
import type { AppEnv, Env } from "./env";
import { hostOf } from "../http/host";
import { log } from "../log";
import { parseConfig, type Config, type ConfigProblem, type ConfigVariable, type Shop } from "./schema";

const parsedByEnv = new WeakMap<object, Config>();

/** Parsed once per env object (once per isolate in production); each problem is logged then. */
export function loadConfig(env: Env): Config {
  let config = parsedByEnv.get(env);
  if (!config) {
    config = parseConfig(env as unknown as Partial<Record<ConfigVariable, unknown>>);
    for (const problem of config.problems) log("error", "config_invalid", { ...problem });
    parsedByEnv.set(env, config);
  }
  return config;
}

/** The problem with one variable, if its value is unusable. */
export const problemWith = (config: Config, variable: ConfigVariable): ConfigProblem | undefined =>
  config.problems.find((problem) => problem.variable === variable);

/** Without a usable ORIGIN_URL there is no shop to keep open: shoppers get the 503, operators this problem. */
export const originProblem = (config: Config) => problemWith(config, "ORIGIN_URL");

/**
 * The one place that decides which shop a request is for. Today a deployment
 * serves one shop; the host parameter is where several shops sharing one
 * deployment will be told apart. Every piece of per-shop state is keyed by `id`.
 */
export function resolveShop(env: Env, _host: string): Shop {
  return { id: "default", config: loadConfig(env) };
}

declare module "hono" {
  interface ContextVariableMap {
    shop: Shop;
  }
}

/**
 * Every request learns its shop first; everything after reads `c.get("shop")`.
 *
 * @example app.use(attachShop())
 */
export function attachShop(): MiddlewareHandler<AppEnv> {
  return async function attachShop(c, next) {
    c.set("shop", resolveShop(c.env, hostOf(c.req.url)));
    await next();
  };
}
