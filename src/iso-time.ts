/** A stored epoch-milliseconds time as the ISO 8601 text APIs and log lines show, or null for none. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
