import { freshRecord, type MonitorRecord } from "./monitor-record";

/**
 * An OriginMonitor's storage (SQLite): its record (one JSON row), the breaker
 * transitions it keeps for the dashboard, and, on a shop's roster instance,
 * the origins the shop names. Decisions stay in src/origin/breaker.ts, probe.ts
 * and slow-start.ts; the Durable Object (src/origin/monitor.ts) applies them.
 */

/** One breaker transition as stored. */
export type TransitionRow = { at: number; from_state: string; to_state: string; cause: string; reason: string | null };

/** Transitions kept for the dashboard; older ones are deleted. */
const KEPT_TRANSITIONS = 100;

export class MonitorStore {
  #sql: SqlStorage;
  #saved = "";

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS monitor (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)");
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS transitions (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, cause TEXT NOT NULL, reason TEXT)",
    );
  }

  /** The stored record, or a fresh one. */
  load(now: number): MonitorRecord {
    const row = this.#sql.exec<{ record: string }>("SELECT record FROM monitor WHERE id = 1").toArray()[0];
    this.#saved = row?.record ?? "";
    // Defaults first, so a record written by an older version gains the fields it lacks.
    return { ...freshRecord(now), ...(row ? (JSON.parse(row.record) as Partial<MonitorRecord>) : {}) };
  }

  /** Writes only what changed: most exchanges report a healthy origin and change nothing. */
  save(record: MonitorRecord): void {
    const json = JSON.stringify(record);
    if (json === this.#saved) return;
    this.#sql.exec("INSERT OR REPLACE INTO monitor (id, record) VALUES (1, ?)", json);
    this.#saved = json;
  }

  /** Keeps a transition, and only the newest KEPT_TRANSITIONS. */
  addTransition(at: number, from: string, to: string, cause: string, reason: string | null): void {
    this.#sql.exec(
      "INSERT INTO transitions (at, from_state, to_state, cause, reason) VALUES (?, ?, ?, ?, ?)",
      at,
      from,
      to,
      cause,
      reason,
    );
    this.#sql.exec("DELETE FROM transitions WHERE id <= (SELECT MAX(id) FROM transitions) - ?", KEPT_TRANSITIONS);
  }

  /** The newest transitions first. */
  transitions(limit: number): TransitionRow[] {
    return this.#sql
      .exec<TransitionRow>(
        "SELECT at, from_state, to_state, cause, reason FROM transitions ORDER BY id DESC LIMIT ?",
        limit,
      )
      .toArray();
  }

  /** On the roster instance: records `originUrls` and returns the origins it knew that they no longer name. */
  rosterUpdate(originUrls: string[]): string[] {
    this.#sql.exec("CREATE TABLE IF NOT EXISTS roster (url TEXT PRIMARY KEY)");
    const known = this.#sql.exec<{ url: string }>("SELECT url FROM roster").toArray();
    const gone = known.map((row) => row.url).filter((url) => !originUrls.includes(url));
    for (const url of originUrls) this.#sql.exec("INSERT OR IGNORE INTO roster (url) VALUES (?)", url);
    return gone;
  }

  /** On the roster instance: forgets origins whose monitors were retired. */
  rosterRemove(urls: string[]): void {
    for (const url of urls) this.#sql.exec("DELETE FROM roster WHERE url = ?", url);
  }
}
