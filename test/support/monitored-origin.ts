import { env as testEnv, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeEach } from "vitest";
import type { Env } from "../../src/config/env";
import { forgetOriginHealth } from "../../src/origin/health";
import { originMonitor } from "../../src/origin/monitor";
import { FakeOrigin } from "./origin";

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
 * A fresh fake origin for every test of the file, handed to `use`; after each
 * test its monitor is silenced, the origin stopped and this isolate's breaker
 * copies forgotten, so no test sees another's breaker.
 *
 * @example let origin: FakeOrigin; originPerTest((started) => (origin = started));
 */
export function originPerTest(use: (origin: FakeOrigin) => void): void {
  let current: FakeOrigin;
  beforeEach(async () => {
    current = await FakeOrigin.start();
    use(current);
  });
  afterEach(async () => {
    await stopMonitoredOrigin(current);
    forgetOriginHealth();
  });
}
