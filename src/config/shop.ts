import type { Env } from "./env";
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

/** The one shop of single-shop mode: the deployment's vars, answering every host (state keyed "default"). */
export function varsShop(env: Env): Shop {
  return { id: "default", config: loadConfig(env), hosts: [] };
}
