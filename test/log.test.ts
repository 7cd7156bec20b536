import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "../src/log";

afterEach(() => vi.restoreAllMocks());

describe("structured log lines", () => {
  it("writes one JSON line with level, event and time first, then the fields", () => {
    const lines: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: string) => lines.push(line));
    log("warn", "breaker_opened", { shop: "default", reason: "refused" });
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(["level", "event", "time", "shop", "reason"]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "warn", event: "breaker_opened", shop: "default" });
  });

  it("keeps its own event name when a field is called event too", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    log("info", "stripe_webhook_paid", { event: "evt_1", level: "debug" });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", event: "stripe_webhook_paid" });
  });
});
