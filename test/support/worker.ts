/** Calls the real worker inside workerd with a per-test env, and waits for its background work. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { parseConfig } from "../../src/config";
import type { Env } from "../../src/env";

/** Every configuration variable the schema knows, also those wrangler.toml leaves to their defaults. */
type ConfigVars = Parameters<typeof parseConfig>[0];

export function shopEnv(overrides: Partial<Record<keyof Env, unknown>> & ConfigVars = {}): Env {
  return { ...env, ...overrides } as Env;
}

/** One request through the worker; resolves after every ctx.waitUntil task has settled. */
export async function dispatch(input: string | Request, testEnv: Env, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(input, init), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
