import { runDurableObjectAlarm } from "cloudflare:test";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { originMonitor } from "../../src/origin/monitor";
import type { FakeOrigin } from "./origin";
import { shopEnv, type EnvOverrides } from "./worker";

/**
 * A shop whose breaker opens on the first failure (once the health probe
 * fails too) and may half-open after 300 ms; probes run only when a test
 * runs the monitor's alarm.
 */
export function fastBreakerEnv(originUrl: string, overrides: EnvOverrides = {}): Env {
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

/**
 * The origin answers again: its monitor's probes close the breaker after the
 * cooldown (as for shoppers), and this isolate forgets its cached copy of the
 * breaker. Bounded: throws when the breaker never closes.
 */
export async function originBack(env: Env, origin: FakeOrigin): Promise<void> {
  await origin.setMode({ mode: "ok" });
  const monitor = originMonitor(env, "default", origin.url);
  for (let round = 0; round < 50; round++) {
    await new Promise((resolve) => setTimeout(resolve, 120));
    await runDurableObjectAlarm(monitor);
    if ((await monitor.describe()).breaker.state === "closed") {
      forgetOriginHealth();
      return;
    }
  }
  throw new Error("the breaker never closed");
}
