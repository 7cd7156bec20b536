import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import type { Source } from "../http/source";
import { count, flushIfDue } from "./counters";

const SOURCES: readonly Source[] = ["origin", "backup", "stale", "maintenance", "queued", "edge"];

/**
 * Counts every response by its X-Stayopen-Source and, when a batch is due,
 * sends it to the Metrics Durable Object in the background.
 *
 * @example app.use(countBySource())
 */
export function countBySource(): MiddlewareHandler<AppEnv> {
  return async function countResponseSource(c, next) {
    await next();
    const header = c.res.headers.get("x-stayopen-source") as Source | null;
    const source = header && SOURCES.includes(header) ? header : "unmarked";
    count(c.env, c.get("shop").id, "requests", { source });
    const flush = flushIfDue(c.env);
    if (flush) c.executionCtx.waitUntil(flush);
  };
}
