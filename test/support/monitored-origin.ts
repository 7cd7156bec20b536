import { env as testEnv, runInDurableObject } from "cloudflare:test";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { originMonitor } from "../../src/origin/monitor";
import { originPerTest, type FakeOrigin } from "./origin";

/** The admin token `shopEnv` sets, as the header the admin routes want. */
export const ADMIN = { authorization: "Bearer test-admin-token-0123456789" };

/** The default shop's OriginMonitor of a fake origin. */
export const monitorOf = (origin: FakeOrigin) => originMonitor(testEnv as Env, "default", origin.url);

/** After a test: the origin's monitor probes no more (its alarm cleared), and the origin stops. */
export async function stopMonitoredOrigin(origin: FakeOrigin): Promise<void> {
  await runInDurableObject(monitorOf(origin), (_instance, state) => state.storage.deleteAlarm());
  await origin.stop();
}

/**
 * `originPerTest` for tests whose origin has a monitor: after each test the
 * monitor is silenced, the origin stopped and this isolate's breaker copies
 * forgotten, so no test sees another's breaker.
 *
 * @example let origin: FakeOrigin; monitoredOriginPerTest((started) => (origin = started));
 */
export function monitoredOriginPerTest(use: (origin: FakeOrigin) => void): void {
  originPerTest(use, async (origin) => {
    await stopMonitoredOrigin(origin);
    forgetOriginHealth();
  });
}
