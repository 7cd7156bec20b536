import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import type { ForcedMaintenance } from "./maintenance";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by operatorControls() for every shopper request: the maintenance in force, or null. */
    forcedMaintenance: ForcedMaintenance | null;
  }
}

/** The maintenance the operator forced for this request, or null. */
export function forcedMaintenance(c: Context<AppEnv>): ForcedMaintenance | null {
  return c.get("forcedMaintenance") ?? null;
}

/** Whether the operator forced maintenance: order routes queue instead of calling the origin. */
export const isForcedDown = (c: Context<AppEnv>): boolean => forcedMaintenance(c) !== null;
