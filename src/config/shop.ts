import type { Env } from "./env";
import { log } from "../log";
import { parseConfig, type Config, type ConfigProblem, type ConfigVariable } from "./schema";

/**
 * The shop a request belongs to: an id that namespaces all its state, its
 * configuration, and the hosts it is registered for (none for the one shop of
 * single-shop mode, which answers every host).
 */
export type Shop = { id: string; config: Config; hosts: readonly string[] };

const parsedByEnv = new WeakMap<object, Config>();
const reported = new WeakSet<Config>();

function parsedVars(env: Env): Config {
  let config = parsedByEnv.get(env);
  if (!config) {
    config = parseConfig(env as unknown as Partial<Record<ConfigVariable, unknown>>);
    parsedByEnv.set(env, config);
  }
  return config;
}

/** The vars shop's configuration, parsed once per env object (once per isolate in production); each problem is logged then. */
export function loadConfig(env: Env): Config {
  const config = parsedVars(env);
  if (!reported.has(config)) {
    reported.add(config);
    for (const problem of config.problems) log("error", "config_invalid", { ...problem });
  }
  return config;
}

/**
 * The deployment's own settings (PLATFORM_TOKEN), read without judging the
 * vars shop: a platform whose shops are all registered has no ORIGIN_URL var,
 * and that is not an error until the vars shop is served.
 */
export function deploymentConfig(env: Env): Config {
  return parsedVars(env);
}

/** The problem with one variable, if its value is unusable. */
export const problemWith = (config: Config, variable: ConfigVariable): ConfigProblem | undefined =>
  config.problems.find((problem) => problem.variable === variable);

/** Without a usable ORIGIN_URL there is no shop to keep open: shoppers get the 503, operators this problem. */
export const originProblem = (config: Config) => problemWith(config, "ORIGIN_URL");

/** The one shop of single-shop mode: the deployment's vars, answering every host (state keyed "default"). */
export function varsShop(env: Env): Shop {
  return { id: "default", config: loadConfig(env), hosts: [] };
}
