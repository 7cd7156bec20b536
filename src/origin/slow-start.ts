/**
 * Slow start: after a recovery the origin gets a growing share of catalog
 * reads over SLOW_START_MS, so a cold origin is not flattened by the whole
 * shop at once. The rest is answered from snapshots where they exist.
 */

export type SlowStart = { startedAt: number; durationMs: number };

/** Even the first moment after recovery sends some traffic, so the origin keeps being tested by real requests. */
export const SLOW_START_FLOOR = 0.1;

/** The share of traffic the origin gets `now`: a linear ramp from the floor to everything. */
export function slowStartShare(slowStart: SlowStart | null, now: number): number {
  if (!slowStart || slowStart.durationMs <= 0) return 1;
  const elapsed = now - slowStart.startedAt;
  if (elapsed >= slowStart.durationMs) return 1;
  return Math.max(SLOW_START_FLOOR, Math.max(0, elapsed) / slowStart.durationMs);
}

export const slowStartEndsAt = (slowStart: SlowStart): number => slowStart.startedAt + slowStart.durationMs;
