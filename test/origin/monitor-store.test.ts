import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { freshRecord } from "../../src/origin/monitor-record";
import { MonitorStore } from "../../src/origin/monitor-store";

/** A monitor object of its own (never exchanged with, so it probes nothing), for its tables. */
const withMonitor = <T>(name: string, run: (sql: SqlStorage) => T) =>
  runInDurableObject(env.ORIGIN_MONITOR.getByName(`monitor-store-${name}`), (_instance, state) =>
    run(state.storage.sql),
  );

describe("origin monitor store", () => {
  it("gives a record an older version wrote the fields it lacks, and writes only what changed", async () => {
    const result = await withMonitor("record", (sql) => {
      const store = new MonitorStore(sql);
      const { lastConfirmAt: _dropped, ...older } = { ...freshRecord(1000), lastSeenAt: 5000 };
      sql.exec("INSERT OR REPLACE INTO monitor (id, record) VALUES (1, ?)", JSON.stringify(older));
      const loaded = store.load(2000);
      store.save(loaded);
      // Changed behind the store's back: saving the record it last wrote again writes nothing.
      sql.exec("UPDATE monitor SET record = ? WHERE id = 1", JSON.stringify({ ...loaded, lastSeenAt: 6000 }));
      store.save(loaded);
      const afterSame = new MonitorStore(sql).load(2000).lastSeenAt;
      store.save({ ...loaded, lastSeenAt: 7000 });
      return { loaded, afterSame, afterChange: new MonitorStore(sql).load(2000).lastSeenAt };
    });
    expect(result.loaded.lastSeenAt).toBe(5000);
    expect(result.loaded.lastConfirmAt).toBeNull();
    expect(result.afterSame).toBe(6000);
    expect(result.afterChange).toBe(7000);
  });

  it("keeps the newest hundred transitions, newest first", async () => {
    const rows = await withMonitor("transitions", (sql) => {
      const store = new MonitorStore(sql);
      for (let at = 1; at <= 130; at++) store.addTransition(at, "closed", "open", "traffic", `r${at}`);
      return { newest: store.transitions(3), all: store.transitions(1000).length };
    });
    expect(rows.newest.map((row) => row.at)).toEqual([130, 129, 128]);
    expect(rows.newest[0]).toEqual({
      at: 130,
      from_state: "closed",
      to_state: "open",
      cause: "traffic",
      reason: "r130",
    });
    expect(rows.all).toBe(100);
  });

  it("tells the roster instance which origins the configuration no longer names", async () => {
    const gone = await withMonitor("roster", (sql) => {
      const store = new MonitorStore(sql);
      store.rosterUpdate(["https://a.test", "https://b.test"]);
      const first = store.rosterUpdate(["https://b.test", "https://c.test"]);
      store.rosterRemove(first);
      return { first, again: store.rosterUpdate(["https://c.test"]) };
    });
    expect(gone).toEqual({ first: ["https://a.test"], again: ["https://b.test"] });
  });
});
