import { describe, expect, it } from "vitest";
import {
  activeMaintenance,
  nextBoundary,
  nextMaintenance,
  parseMaintenanceRequest,
  type Maintenance,
} from "../../src/control/maintenance";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const HOUR = 3_600_000;

describe("maintenance requests", () => {
  it("accepts on with a message and an optional window, and off", () => {
    expect(parseMaintenanceRequest({ on: true, message: "  Upgrading the warehouse system  " }, NOW)).toEqual({
      ok: true,
      value: { on: true, message: "Upgrading the warehouse system" },
    });
    expect(
      parseMaintenanceRequest(
        { on: true, message: "m", from: "2026-11-26T13:00:00Z", until: "2026-11-26T15:00:00+01:00" },
        NOW,
      ),
    ).toEqual({
      ok: true,
      value: { on: true, message: "m", from: NOW + HOUR, until: NOW + 2 * HOUR },
    });
    expect(parseMaintenanceRequest({ on: false }, NOW)).toEqual({ ok: true, value: { on: false } });
  });

  it.each([
    ["a missing switch", {}, "on: must be true or false"],
    ["a switch that is not a boolean", { on: "yes" }, "on: must be true or false"],
    ["no message", { on: true }, "message: is required when turning maintenance on"],
    ["an empty message", { on: true, message: "  " }, "message: must not be empty"],
    ["a long message", { on: true, message: "x".repeat(501) }, "message: must be at most 500 characters"],
    [
      "a date that is not ISO 8601",
      { on: true, message: "m", until: "tomorrow" },
      "until: must be an ISO 8601 date-time like 2026-11-26T18:00:00Z",
    ],
    ["an end in the past", { on: true, message: "m", until: "2026-11-26T11:59:00Z" }, "until: must be in the future"],
    [
      "an end before the start",
      { on: true, message: "m", from: "2026-11-26T14:00:00Z", until: "2026-11-26T13:00:00Z" },
      "until: must be after from",
    ],
    ["an unknown field", { on: true, message: "m", untill: "2026-11-27T00:00:00Z" }, "unknown field untill"],
    ["fields with off", { on: false, message: "m" }, "unknown field message"],
    ["a body that is not an object", ["on"], "the body must be a JSON object"],
    ["null", null, "the body must be a JSON object"],
  ])("refuses %s", (_what, body, message) => {
    expect(parseMaintenanceRequest(body, NOW)).toEqual({ ok: false, message });
  });
});

describe("maintenance window", () => {
  const scheduled: Maintenance = { message: "m", from: NOW + HOUR, until: NOW + 2 * HOUR, setAt: NOW };

  it("is in force from its start until its end", () => {
    expect(activeMaintenance(scheduled, NOW + HOUR - 1)).toBeNull();
    expect(activeMaintenance(scheduled, NOW + HOUR)).toEqual({
      message: "m",
      since: NOW + HOUR,
      until: NOW + 2 * HOUR,
    });
    expect(activeMaintenance(scheduled, NOW + 2 * HOUR)).toBeNull();
    expect(activeMaintenance({ ...scheduled, until: null }, NOW + 100 * HOUR)).not.toBeNull();
  });

  it("wakes up at the start, then at the end, then never", () => {
    expect(nextBoundary(scheduled, NOW)).toBe(NOW + HOUR);
    expect(nextBoundary(scheduled, NOW + HOUR)).toBe(NOW + 2 * HOUR);
    expect(nextBoundary(scheduled, NOW + 2 * HOUR)).toBeNull();
    expect(nextBoundary({ ...scheduled, until: null }, NOW + HOUR)).toBeNull();
  });

  it("keeps the start of maintenance already in force when only the message changes", () => {
    const running: Maintenance = { message: "old", from: NOW - HOUR, until: null, setAt: NOW - HOUR };
    expect(nextMaintenance(running, { on: true, message: "new" }, NOW)).toEqual({
      message: "new",
      from: NOW - HOUR,
      until: null,
      setAt: NOW,
    });
    expect(nextMaintenance(scheduled, { on: true, message: "now" }, NOW)).toMatchObject({ from: NOW });
    expect(nextMaintenance(running, { on: false }, NOW)).toBeNull();
  });
});
