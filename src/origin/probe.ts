import type { ProbeConfig } from "../config/schema";
import type { BreakerState, ProbeResult } from "./breaker";
import { fetchWithDeadline } from "./fetch";
import type { StatusRange } from "../config/status-ranges";

/**
 * Active health checks, like a load balancer's monitor: GET HEALTH_PATH with
 * its own timeout, healthy when the status is one of PROBE_EXPECT_STATUS.
 */

export const statusExpected = (status: number, ranges: readonly StatusRange[]): boolean =>
  ranges.some((range) => status >= range.min && status <= range.max);

export type ProbeReport = { at: number; ok: boolean; status?: number; reason?: string; elapsedMs: number };

export const probeResult = (report: ProbeReport): ProbeResult =>
  report.ok ? { ok: true } : { ok: false, reason: report.reason ?? "probe_failed" };

/** How often to probe in a state: fast while shoppers are kept away, slowly (or never) while closed. */
export function probeInterval(state: BreakerState["state"], probe: ProbeConfig): number | null {
  if (state !== "closed") return probe.intervalMs;
  return probe.idleIntervalMs > 0 ? probe.idleIntervalMs : null;
}

/**
 * The next probe is one interval after the last probe, or after entering the
 * state when none came since. A failed idle probe is checked again at the
 * outage pace, so a quiet shop that died does not read up for minutes.
 */
export function nextProbeAt(breaker: BreakerState, lastProbeAt: number | null, probe: ProbeConfig): number | null {
  const retry = breaker.state === "closed" && breaker.probeFailures > 0;
  const interval = retry ? probe.intervalMs : probeInterval(breaker.state, probe);
  if (interval === null) return null;
  return Math.max(lastProbeAt ?? breaker.since, breaker.since) + interval;
}

export async function probeOrigin(originUrl: string, healthPath: string, probe: ProbeConfig): Promise<ProbeReport> {
  const at = Date.now();
  // Settings kept from a configuration that named no usable origin: a failed probe, not an alarm that throws forever.
  if (!URL.canParse(`${originUrl}${healthPath}`)) return { at, ok: false, reason: "invalid_url", elapsedMs: 0 };
  const request = new Request(`${originUrl}${healthPath}`, {
    headers: { "user-agent": "stayopen-health-probe", "cache-control": "no-cache" },
  });
  const attempt = await fetchWithDeadline(request, probe.timeoutMs);
  if (attempt.kind === "error") return { at, ok: false, reason: attempt.reason, elapsedMs: attempt.elapsedMs };
  await attempt.response.body?.cancel();
  const status = attempt.response.status;
  const ok = statusExpected(status, probe.expectStatus);
  return { at, ok, status, ...(ok ? {} : { reason: `status_${status}` }), elapsedMs: attempt.elapsedMs };
}
