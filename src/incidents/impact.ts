import type { Impact } from "./incident";

/**
 * The metrics counters an incident's impact is read from, at one moment:
 * stale responses served, orders queued at the edge, queued orders delivered.
 */
export type Counters = { stale: number; queued: number; delivered: number };

/**
 * Impact between the counters at the start and those at the end (or now,
 * while ongoing). Deliveries are counted until the next incident starts (or
 * now), since a queue drains after the outage ends, and never above the
 * orders accepted. Without a baseline (the metrics were unreachable when the
 * incident began) nothing is claimed.
 */
export function impactOf(
  baseline: Counters | null,
  closing: Counters | null,
  deliveredUntil: number | null,
  now: Counters | null,
): Impact {
  const end = closing ?? now;
  const delivered = deliveredUntil ?? now?.delivered ?? null;
  if (!baseline || !end) return { staleServed: 0, ordersAccepted: 0, ordersDelivered: 0 };
  const ordersAccepted = Math.max(0, end.queued - baseline.queued);
  return {
    staleServed: Math.max(0, end.stale - baseline.stale),
    ordersAccepted,
    ordersDelivered: delivered === null ? 0 : Math.min(ordersAccepted, Math.max(0, delivered - baseline.delivered)),
  };
}
