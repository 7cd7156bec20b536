import type { Env } from "../config/env";
import { log } from "../log";
import type { IncidentEvent } from "./incident-log";

/** The incident history of one shop. */
export function incidentLog(env: Env, shopId: string) {
  return env.INCIDENTS.getByName(`${shopId}:incidents`);
}

/**
 * For the Durable Objects that see incidents begin and end (the primary's
 * OriginMonitor, ShopControl): hands each event to the shop's IncidentLog in
 * the background, in the order they happened, so a short flap's end never
 * overtakes its start. A failure is logged; it never holds up the breaker or
 * the operator's switch.
 *
 * @example const report = incidentReporter(ctx, env); report({ shopId, kind: "outage", phase: "began", at, minS })
 */
export function incidentReporter(ctx: DurableObjectState, env: Env) {
  let chain: Promise<void> = Promise.resolve();
  return function reportIncident(event: IncidentEvent): void {
    chain = chain.then(() =>
      incidentLog(env, event.shopId)
        .record(event)
        .catch((error: unknown) =>
          log("warn", "incident_record_failed", {
            shop: event.shopId,
            kind: event.kind,
            phase: event.phase,
            error: String(error),
          }),
        ),
    );
    ctx.waitUntil(chain);
  };
}
