/** A stored epoch-milliseconds time as the ISO 8601 text APIs and log lines show, or null for none. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** "26 Nov 2026, 15:40 UTC": unambiguous for shoppers anywhere, no client-side JavaScript. */
const formatter = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  hour12: false,
});

export function formatAsOf(epochMs: number): string {
  return `${formatter.format(new Date(epochMs))} UTC`;
}
