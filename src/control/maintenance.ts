import { z } from "zod";

/**
 * Forced maintenance, as the operator sets it: a message and a window that
 * starts and ends by itself. Pure: every decision takes `now`.
 */

export type Maintenance = {
  message: string;
  /** When it starts (or started). */
  from: number;
  /** When it ends by itself; null = until turned off. */
  until: number | null;
  setAt: number;
};

/** Maintenance that is in force right now. */
export type ForcedMaintenance = { message: string; since: number; until: number | null };

export function activeMaintenance(maintenance: Maintenance | null, now: number): ForcedMaintenance | null {
  if (!maintenance || now < maintenance.from) return null;
  if (maintenance.until !== null && now >= maintenance.until) return null;
  return { message: maintenance.message, since: maintenance.from, until: maintenance.until };
}

export type MaintenanceRequest = { on: true; message: string; from?: number; until?: number } | { on: false };

const instant = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time like 2026-11-26T18:00:00Z" })
  .transform((value) => Date.parse(value));

const schema = z.discriminatedUnion(
  "on",
  [
    z
      .object({
        on: z.literal(true),
        message: z
          .string({ error: "is required when turning maintenance on" })
          .trim()
          .min(1, "must not be empty")
          .max(500, "must be at most 500 characters"),
        from: instant.optional(),
        until: instant.optional(),
      })
      .strict(),
    z.object({ on: z.literal(false) }).strict(),
  ],
  { error: "must be true or false" },
);

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Validates the admin body; an end in the past or before the start is refused rather than silently ignored. */
export function parseMaintenanceRequest(body: unknown, now: number): Parsed<MaintenanceRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, message: "the body must be a JSON object" };
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join(".");
    const message = issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.join(", ")}` : issue.message;
    return { ok: false, message: field ? `${field}: ${message}` : message };
  }
  const request = result.data;
  if (request.on && request.until !== undefined) {
    if (request.until <= now) return { ok: false, message: "until: must be in the future" };
    if (request.from !== undefined && request.until <= request.from)
      return { ok: false, message: "until: must be after from" };
  }
  return { ok: true, value: request };
}

/**
 * The stored maintenance after a request. Changing the message of maintenance
 * already in force keeps its start, so the time shoppers have been shut out
 * (which caps the 503s) is not reset by an edit.
 */
export function nextMaintenance(
  previous: Maintenance | null,
  request: MaintenanceRequest,
  now: number,
): Maintenance | null {
  if (!request.on) return null;
  const current = activeMaintenance(previous, now);
  return {
    message: request.message,
    from: request.from ?? current?.since ?? now,
    until: request.until ?? null,
    setAt: now,
  };
}

/** The next moment the maintenance changes by itself: its start, then its end. */
export function nextBoundary(maintenance: Maintenance | null, now: number): number | null {
  if (!maintenance) return null;
  if (now < maintenance.from) return maintenance.from;
  return maintenance.until !== null && now < maintenance.until ? maintenance.until : null;
}
