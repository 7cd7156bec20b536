import { describe, expect, it } from "vitest";
import { deliveryVerdict } from "../../src/orders/verdict";

const now = Date.parse("2026-11-26T12:00:00Z");
const answered = (status: number, retryAfter: string | null = null) =>
  deliveryVerdict({ kind: "response", status, retryAfter, excerpt: "why" }, now);

describe("replay verdicts", () => {
  it("counts 2xx and 409 as delivered", () => {
    for (const status of [200, 201, 202, 204, 409]) expect(answered(status)).toEqual({ kind: "delivered" });
  });

  it("dead-letters other client errors and redirects", () => {
    for (const status of [301, 303, 400, 401, 403, 404, 410, 422])
      expect(answered(status)).toEqual({ kind: "dead", error: `status_${status}`, answer: { status, excerpt: "why" } });
  });

  it("retries 408, 429, 5xx and network failures", () => {
    for (const status of [408, 429, 500, 502, 503, 504, 520, 530]) expect(answered(status).kind).toBe("retry");
    expect(deliveryVerdict({ kind: "error", reason: "refused" }, now)).toEqual({
      kind: "retry",
      error: "refused",
      retryAfterMs: null,
      answer: null,
    });
    expect(deliveryVerdict({ kind: "error", reason: "timeout" }, now)).toEqual({
      kind: "retry",
      error: "timeout",
      retryAfterMs: null,
      answer: null,
    });
  });

  it("honours Retry-After on 429 and 503 only", () => {
    expect(answered(429, "7")).toEqual({
      kind: "retry",
      error: "status_429",
      retryAfterMs: 7000,
      answer: { status: 429, excerpt: "why" },
    });
    expect(answered(503, "2")).toEqual({
      kind: "retry",
      error: "status_503",
      retryAfterMs: 2000,
      answer: { status: 503, excerpt: "why" },
    });
    expect(answered(500, "2")).toEqual({
      kind: "retry",
      error: "status_500",
      retryAfterMs: null,
      answer: { status: 500, excerpt: "why" },
    });
  });
});
