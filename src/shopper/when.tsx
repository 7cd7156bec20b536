import { formatAsOf } from "../time";

/** A moment as shoppers read it ("26 Nov 2026, 15:40 UTC"), machine-readable in `datetime`. */
export function When({ at }: { at: number | string }) {
  const ms = typeof at === "number" ? at : Date.parse(at);
  return <time datetime={new Date(ms).toISOString()}>{formatAsOf(ms)}</time>;
}
