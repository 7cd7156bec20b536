/**
 * Flap handling, so that one bad minute does not read as ten incidents. An
 * incident that starts within INCIDENT_MIN_S of the end of the last one of
 * its kind continues it; one that ends shorter than INCIDENT_MIN_S (counted
 * from its first start) is left out of the history, unless an operator wrote
 * an update on it. A left-out incident is kept hidden, so that the next flap
 * still joins it and a flapping origin reads as one incident.
 */

export type LastOfKind = { id: string; endedAt: number | null };

export type StartDecision = { action: "continue"; id: string } | { action: "reopen"; id: string } | { action: "new" };

/** What a start means given the latest incident of the same kind (ongoing or ended). */
export function onStart(last: LastOfKind | null, at: number, minMs: number): StartDecision {
  if (!last) return { action: "new" };
  if (last.endedAt === null) return { action: "continue", id: last.id };
  return at - last.endedAt < minMs ? { action: "reopen", id: last.id } : { action: "new" };
}

/** Whether an incident that ended at `endedAt` is shown. */
export function shownAfterEnd(startedAt: number, endedAt: number, updates: number, minMs: number): boolean {
  return updates > 0 || endedAt - startedAt >= minMs;
}
