import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../config/env";
import type { Source } from "../http/source";
import { canonicalLabels, countSeries, flushIfDue } from "./counters";

const SOURCES: readonly Source[] = ["origin", "backup", "stale", "maintenance", "queued", "edge"];
const SERIES = new Map<string, string>(SOURCES.map((source) => [source, canonicalLabels({ source })]));
const UNMARKED = canonicalLabels({ source: "unmarked" });

/**
 * Counts every response by its X-Stayopen-Source and, when a batch is due,
 * sends it to the Metrics Durable Object in the background.
 *
 * @example app.use(countBySource())
 */
export function countBySource(): MiddlewareHandler<AppEnv> {
  return async function countResponseSource(c, next) {
    await next();
    const source = c.res.headers.get("x-stayopen-source");
    countSeries(c.env, c.get("shop").id, "requests", (source && SERIES.get(source)) || UNMARKED);
    const flush = flushIfDue(c.env);
    if (flush) c.executionCtx.waitUntil(flush);
  };
}
