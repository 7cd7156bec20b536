/** A stored epoch-milliseconds time as the ISO 8601 text APIs and log lines show, or null for none. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
