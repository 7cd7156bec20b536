/**
 * How many replays a shard keeps in flight: one at first, doubling after
 * every batch the origin took, back to one as soon as anything fails, so a
 * recovering origin sees a trickle before it sees the backlog.
 */
export type BatchResult = "succeeded" | "failed";

export function nextInFlight(current: number, result: BatchResult, cap: number): number {
  if (result === "failed") return 1;
  return Math.max(1, Math.min(cap, current * 2));
}
