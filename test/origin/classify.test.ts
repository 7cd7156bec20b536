import { describe, expect, it } from "vitest";
import { classifyStatus, networkFailureReason } from "../../src/origin/classify";

describe("status classification", () => {
  it.each([500, 501, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527])("%i is a failure", (status) => {
    expect(classifyStatus(status)).toEqual({ failed: true, reason: `status_${status}` });
  });

  it.each([200, 204, 301, 304, 400, 404, 409, 429, 499, 505, 511, 519, 528, 530])(
    "%i is the origin's answer",
    (status) => {
      expect(classifyStatus(status)).toEqual({ failed: false });
    },
  );
});

describe("network failure reasons", () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    [named("TimeoutError", "origin did not answer in time"), "timeout"],
    [named("AbortError", "The operation was aborted"), "timeout"],
    [new Error("connect ECONNREFUSED 127.0.0.1:9 (Connection refused)"), "refused"],
    [new Error("DNS lookup failed"), "dns"],
    [new Error("Could not resolve host"), "dns"],
    [new Error("Network connection lost."), "reset"],
    [new Error("Connection reset by peer"), "reset"],
    [new Error("disconnected: peer closed the stream"), "reset"],
    [new Error("something else entirely"), "network"],
    ["a thrown string", "network"],
  ] as const)("%s → %s", (error, reason) => {
    expect(networkFailureReason(error)).toBe(reason);
  });
});
