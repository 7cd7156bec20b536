/** Shared by the pre-warm tests: one cron run through the worker, and what an outage would serve. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import type { Env } from "../../src/config/env";
import worker from "../../src/index";
import { dispatch } from "../support/worker";

export async function runCron(env: Env): Promise<void> {
  const controller = createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Whether the page would be served during an outage: the origin goes away and the page is asked for. */
export async function servedWhileDown(env: Env, url: string): Promise<boolean> {
  const response = await dispatch(url, env, { headers: { accept: "text/html" } });
  await response.text();
  return response.headers.get("x-stayopen-source") === "stale";
}
