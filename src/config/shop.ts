import type { Env } from "../env";
import { parseConfig, type Config, type Shop } from "./schema";

const parsedByEnv = new WeakMap<object, Config>();

/** Parsed once per env object (once per isolate in production). */
export function loadConfig(env: Env): Config {
  let config = parsedByEnv.get(env);
  if (!config) {
    config = parseConfig(env as unknown as Record<string, unknown>);
    parsedByEnv.set(env, config);
  }
  return config;
}

/**
 * The one place that decides which shop a request is for. Today a deployment
 * serves one shop; the host parameter is where several shops sharing one
 * deployment will be told apart. Every piece of per-shop state is keyed by `id`.
 */
export function resolveShop(env: Env, _host: string): Shop {
  return { id: "default", config: loadConfig(env) };
}
