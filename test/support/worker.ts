/** Calls the real worker inside workerd with a per-test env, and waits for its background work. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { Env } from "../../src/config/env";
import type { ConfigVariable } from "../../src/config/schema";

/** Variables (any the schema knows, set in wrangler.toml or not) or bindings a test sets. */
export type EnvOverrides = Partial<Record<keyof Env | ConfigVariable, string>>;

/** The test env with some variables (any the schema knows, set in wrangler.toml or not) or bindings replaced. */
export function shopEnv(overrides: Partial<Record<keyof Env | ConfigVariable, unknown>> = {}): Env {
  return { ...env, ...overrides } as Env;
}

/** One request through the worker; resolves after every ctx.waitUntil task has settled. */
export async function dispatch(input: string | Request, testEnv: Env, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(input, init), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
