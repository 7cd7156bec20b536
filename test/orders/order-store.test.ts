import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { OrderStore } from "../../src/orders/order-store";
import type { ShardOrder } from "../../src/orders/types";

/** Takes a shard back to the first version of the queue: one order, none of the columns added since. */
function firstVersion(sql: SqlStorage): void {
  sql.exec("DELETE FROM orders");
  for (const column of ["strikes", "last_status", "last_excerpt", "session"])
    sql.exec(`ALTER TABLE orders DROP COLUMN ${column}`);
  for (const column of ["failed_seq", "session_salt"]) sql.exec(`ALTER TABLE shard DROP COLUMN ${column}`);
  sql.exec("UPDATE shard SET in_flight = 4");
  sql.exec(
    `INSERT INTO orders (reference, dedupe_key, fingerprint, idempotency_key, method, path, content_type, body, state, queued_at, next_attempt_at, updated_at)
     VALUES ('old-1', 'k-old', 'f-old', 'idem-old', 'POST', '/orders/old', 'application/json', '{"n":1}', 'queued', 1000, 2000, 1000)`,
  );
}

const order = (n: number): ShardOrder => ({
  reference: `ref-${n}`,
  dedupeKey: `k-${n}`,
  dedupeWindowMs: null,
  fingerprint: `f-${n}`,
  idempotencyKey: `idem-${n}`,
  method: "POST",
  path: "/orders/store",
  contentType: "application/json",
  body: JSON.stringify({ n }),
  meta: null,
  session: null,
});

/** A fresh shard object of its own, so each test starts from empty tables. */
const withShard = <T>(name: string, run: (sql: SqlStorage) => T) =>
  runInDurableObject(env.ORDER_QUEUE.getByName(`order-store-${name}`), (_instance, state) => run(state.storage.sql));

describe("order store", () => {
  it("brings a shard created by the first version up to date and keeps its orders and pace", async () => {
    const result = await withShard("migration", (sql) => {
      firstVersion(sql);
      const store = new OrderStore(sql);
      const salt = store.sessionSalt();
      return {
        view: store.find("old-1"),
        pace: store.pace(),
        claimed: store.claim(10, 5000, 9000),
        salt,
        saltAgain: new OrderStore(sql).sessionSalt(),
      };
    });
    expect(result.view).toMatchObject({ reference: "old-1", state: "queued", attempts: 0, lastAnswer: null });
    expect(result.pace).toEqual({ inFlight: 4, failures: 0, failedSeq: null, pausedUntil: 0 });
    expect(result.claimed).toMatchObject([{ reference: "old-1", attempts: 1, strikes: 0, sealedSession: null }]);
    expect(result.salt).toMatch(/^[\w-]{43}$/);
    expect(result.saltAgain).toBe(result.salt);
  });

  it("claims the oldest orders first, not one waiting out its backoff, and gives back the ones whose lease ran out", async () => {
    const result = await withShard("claim", (sql) => {
      const store = new OrderStore(sql);
      for (const n of [1, 2, 3]) store.insert(order(n), null, 1000, 2000);
      const first = store.claim(2, 1000, 5000).map((claimed) => claimed.reference);
      const rest = store.claim(2, 1000, 5000);
      store.markRetry(
        rest[0]!.seq,
        { kind: "retry", error: "timeout", retryAfterMs: null, answer: null },
        { state: "queued", strikes: 0, cause: null, delayMs: 60_000, nextAttemptAt: 61_000 },
        1000,
      );
      const notYetDue = store.claim(5, 2000, 6000).length;
      const lost = store.requeueLost(5000);
      return {
        first,
        rest: rest.map((claimed) => claimed.reference),
        notYetDue,
        lost,
        depth: store.depth(),
        view: store.find("ref-1"),
      };
    });
    expect(result.first).toEqual(["ref-1", "ref-2"]);
    expect(result.rest).toEqual(["ref-3"]);
    expect(result.notYetDue).toBe(0);
    expect(result.lost).toEqual(["ref-1", "ref-2"]);
    expect(result.depth).toMatchObject({ queued: 3, delivering: 0 });
    expect(result.view).toMatchObject({ state: "queued", lastError: "delivery_interrupted" });
  });

  it("hands out the pace that is stored, as a copy: saved, its pause lifted, its ramp restarted", async () => {
    const result = await withShard("pace", (sql) => {
      const store = new OrderStore(sql);
      const stored = () => new OrderStore(sql).pace();
      store.savePace({ inFlight: 4, failures: 2, failedSeq: 7, pausedUntil: 9000 });
      const handedOut = store.pace();
      handedOut.pausedUntil = 1;
      const saved = [store.pace(), stored()];
      store.insert(order(1), null, 1000, 2000);
      store.requeue("ref-1", 3000);
      const afterRetry = [store.pace(), stored()];
      store.savePace({ inFlight: 4, failures: 2, failedSeq: 7, pausedUntil: 9000 });
      store.dueNow(4000);
      store.restartRamp();
      return { saved, afterRetry, afterDrain: [store.pace(), stored()] };
    });
    const paused = { inFlight: 4, failures: 2, failedSeq: 7, pausedUntil: 9000 };
    expect(result.saved).toEqual([paused, paused]);
    expect(result.afterRetry).toEqual([
      { ...paused, pausedUntil: 0 },
      { ...paused, pausedUntil: 0 },
    ]);
    expect(result.afterDrain).toEqual([
      { ...paused, inFlight: 1, pausedUntil: 0 },
      { ...paused, inFlight: 1, pausedUntil: 0 },
    ]);
  });

  it("keeps a delivered order's fingerprint but drops its body and session", async () => {
    const result = await withShard("delivered", (sql) => {
      const store = new OrderStore(sql);
      store.insert({ ...order(1), session: "sealed" }, "sealed", 1000, 2000);
      const [claimed] = store.claim(1, 1000, 5000);
      store.markDelivered(claimed!.seq, 3000);
      return {
        row: sql.exec("SELECT state, body, session FROM orders WHERE seq = ?", claimed!.seq).one(),
        latest: store.latest("k-1", 0),
        hasWork: store.hasWork(),
        wake: store.wakeTimes(),
      };
    });
    expect(result.row).toEqual({ state: "delivered", body: "", session: null });
    expect(result.latest).toEqual({ reference: "ref-1", fingerprint: "f-1", content_type: "application/json" });
    expect(result.hasWork).toBe(false);
    expect(result.wake).toEqual({ due: null, lease: null, finished: 3000 });
  });

  it("indexes orders by age only once they are finished, and finds finished ones without a scan", async () => {
    const result = await withShard("retention", (sql) => {
      // A shard from before: its index of every order by state and age goes on the next start.
      sql.exec("CREATE INDEX IF NOT EXISTS orders_by_update ON orders (state, updated_at)");
      const store = new OrderStore(sql);
      for (const n of [1, 2, 3]) store.insert(order(n), null, 1000 * n, 1000 * n);
      const indexed = () =>
        sql
          .exec("SELECT COUNT(*) AS n FROM orders INDEXED BY orders_finished WHERE state IN ('delivered', 'discarded')")
          .one().n;
      const whileQueued = indexed();
      const [first, second] = store.claim(2, 5000, 9000);
      store.markDelivered(first!.seq, 6000);
      store.discard(second!.reference, 4000);
      const plan = (query: string) =>
        sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`)
          .toArray()
          .map((row) => row.detail)
          .join("; ");
      return {
        indexes: sql
          .exec<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' AND sql IS NOT NULL ORDER BY name",
          )
          .toArray()
          .map((row) => row.name),
        whileQueued,
        finished: indexed(),
        wake: store.wakeTimes(),
        deletePlan: plan("DELETE FROM orders WHERE state IN ('delivered', 'discarded') AND updated_at < 1"),
        wakePlan: plan("SELECT MIN(updated_at) FROM orders WHERE state IN ('delivered', 'discarded')"),
      };
    });
    expect(result.indexes).not.toContain("orders_by_update");
    expect(result.indexes).toContain("orders_finished");
    expect(result.whileQueued).toBe(0);
    expect(result.finished).toBe(2);
    expect(result.wake.finished).toBe(4000);
    // An index search, never a scan of every order (the planner may take either index that starts with the state).
    expect(result.deletePlan).toMatch(/^SEARCH orders USING (COVERING )?INDEX/);
    expect(result.wakePlan).toMatch(/^SEARCH orders USING (COVERING )?INDEX/);
  });
});
