/**
 * Failure classification from the contract: what counts as "the origin failed"
 * as opposed to "the origin answered". Pure, so it is unit-tested on its own
 * (test/origin/classify.test.ts).
 */

export type NetworkFailure = "timeout" | "refused" | "reset" | "dns" | "network";

export type Verdict = { failed: false } | { failed: true; reason: string };

/** 500–504 and Cloudflare's 520–527 mean the origin is broken; every other status is its answer. */
export function classifyStatus(status: number): Verdict {
  const failed = (status >= 500 && status <= 504) || (status >= 520 && status <= 527);
  return failed ? { failed: true, reason: `status_${status}` } : { failed: false };
}

/** Maps what fetch threw to a failure kind; the runtime only gives us messages. */
export function networkFailureReason(error: unknown): NetworkFailure {
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message.toLowerCase() : String(error).toLowerCase();
  if (name === "TimeoutError" || name === "AbortError" || message.includes("timed out") || message.includes("timeout"))
    return "timeout";
  if (message.includes("refused")) return "refused";
  if (message.includes("dns") || message.includes("resolve") || message.includes("not found")) return "dns";
  if (
    message.includes("reset") ||
    message.includes("connection lost") ||
    message.includes("disconnected") ||
    message.includes("closed")
  )
    return "reset";
  return "network";
}
