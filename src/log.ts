/**
 * Structured JSON logs, one line per event, so Workers Logs and `wrangler tail`
 * can filter on `event`. Every state change goes through here.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  const head = { level, event, time: new Date().toISOString() };
  // A field named like the head (a payment provider's `event`, say) never replaces it.
  const line = JSON.stringify(Object.assign({ ...head }, fields, head));
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
