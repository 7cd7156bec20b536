import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config/env";
import type { CounterDelta, CounterName } from "./counters";

export type CounterRow = { name: CounterName; labels: string; value: number };

/**
 * One shop's counters for the whole deployment: every isolate adds its batch
 * here, and the metrics endpoint reads the sums.
 */
export class Metrics extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS counters (name TEXT NOT NULL, labels TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (name, labels))",
    );
  }

  add(deltas: CounterDelta[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const { name, labels, value } of deltas) {
        this.ctx.storage.sql.exec(
          "INSERT INTO counters (name, labels, value) VALUES (?, ?, ?) ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value",
          name,
          labels,
          value,
        );
      }
    });
  }

  read(): CounterRow[] {
    return this.ctx.storage.sql
      .exec<CounterRow>("SELECT name, labels, value FROM counters ORDER BY name, labels")
      .toArray();
  }
}
