/** How a fake origin answers; shared by the Node server and the workerd-side handle. */
export type OriginMode =
  | { mode: "ok" }
  | { mode: "status"; status: number }
  | { mode: "hang" }
  | { mode: "refuse" }
  | { mode: "reset" }
  | { mode: "reset-mid-body" }
  | { mode: "slow"; delayMs: number };
