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
