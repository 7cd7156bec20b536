import { describe, expect, it } from "vitest";
import { unavailableNotice } from "../../src/control/notice";

const HOUR = 3_600_000;
const NOW = 1_000 * HOUR;
const config = { retryAfterS: 120, max503Hours: 48, cappedRetryAfterS: 3600 };

describe("503 notice", () => {
  it("asks to come back soon while the outage is young", () => {
    expect(unavailableNotice({ forced: null, downSince: NOW - 47 * HOUR, message: null, now: NOW, config })).toEqual({
      message: null,
      retryAfterS: 120,
      planned: false,
      longOutage: false,
      until: null,
    });
  });

  it("softens after MAX_503_HOURS of the origin being down, keeping the 503 but asking to come back later", () => {
    expect(unavailableNotice({ forced: null, downSince: NOW - 48 * HOUR, message: null, now: NOW, config })).toEqual({
      message: null,
      retryAfterS: 3600,
      planned: false,
      longOutage: true,
      until: null,
    });
  });

  it("counts forced maintenance from its start and shows its message", () => {
    const forced = { message: "Moving to a new warehouse", since: NOW - 50 * HOUR, until: null };
    expect(unavailableNotice({ forced, downSince: null, message: null, now: NOW, config })).toEqual({
      message: "Moving to a new warehouse",
      retryAfterS: 3600,
      planned: true,
      longOutage: true,
      until: null,
    });
  });

  it("measures from the earlier of an outage and maintenance that overlap", () => {
    const forced = { message: "m", since: NOW - HOUR, until: null };
    expect(unavailableNotice({ forced, downSince: NOW - 60 * HOUR, message: null, now: NOW, config }).longOutage).toBe(
      true,
    );
  });

  it("never shortens a configured Retry-After that is already longer", () => {
    const patient = { ...config, retryAfterS: 7200 };
    expect(
      unavailableNotice({ forced: null, downSince: NOW - 49 * HOUR, message: null, now: NOW, config: patient })
        .retryAfterS,
    ).toBe(7200);
  });

  it("asks clients back when a maintenance window with an end is over, not before", () => {
    const forced = { message: "Stocktake", since: NOW - HOUR, until: NOW + 3 * HOUR };
    expect(unavailableNotice({ forced, downSince: null, message: null, now: NOW, config })).toMatchObject({
      retryAfterS: 3 * 3600,
      until: NOW + 3 * HOUR,
    });
    const almostOver = { ...forced, until: NOW + 30_000 };
    expect(
      unavailableNotice({ forced: almostOver, downSince: null, message: null, now: NOW, config }).retryAfterS,
    ).toBe(120);
  });

  it("prefers the caller's own message", () => {
    const forced = { message: "maintenance", since: NOW, until: null };
    expect(unavailableNotice({ forced, downSince: null, message: "specific", now: NOW, config }).message).toBe(
      "specific",
    );
  });
});
