import type { Env } from "../../src/env";
import { shopEnv } from "./worker";

/**
 * A shop whose breaker opens on the first failure (once the health probe
 * fails too) and may half-open after 300 ms; probes run only when a test
 * runs the monitor's alarm.
 */
export function fastBreakerEnv(originUrl: string, overrides: Partial<Record<keyof Env, string>> = {}): Env {
  return shopEnv({
    ORIGIN_URL: originUrl,
    ORIGIN_TIMEOUT_MS: "1000",
    BREAKER_FAILURES: "1",
    BREAKER_COOLDOWN_MS: "300",
    HEALTH_PATH: "/healthz",
    PROBE_INTERVAL_MS: "3600000",
    PROBE_IDLE_INTERVAL_MS: "0",
    SLOW_START_MS: "0",
    ...overrides,
  });
}
