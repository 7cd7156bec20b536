import type { Grant } from "./counter";

/** Requests granted to a client and not yet used (valid until its window ends), or a refusal until then. */
type Held = { left: number; until: number } | { refusedUntil: number };

export type Verdict = "allowed" | { refused: true; retryAfterS: number };
export type Decision = Verdict | "ask";

/** Entries kept per isolate; when it is full, expired ones go (looked for at most once a second), then the oldest. */
const MAX_ENTRIES = 10_000;
const SWEEP_EVERY_MS = 1_000;

/** The most an isolate leases at once, however high the limit: one counter call per hundred requests is cheap enough. */
const MAX_LEASE = 100;

/**
 * How many requests an isolate takes at once: a tenth of the limit, at most
 * MAX_LEASE. Requests it leases but does not use are lost for that window, so
 * a client that several isolates serve can be refused slightly before the
 * limit; never after it.
 */
export function leaseSize(limit: number): number {
  return Math.min(MAX_LEASE, Math.max(1, Math.floor(limit / 10)));
}

/**
 * What one isolate holds from the shared counters, per client. A client
 * sending many requests costs one counter call per lease instead of one per
 * request, and a client that is refused costs none until its window ends.
 */
export class Leases {
  readonly #held = new Map<string, Held>();
  #sweptAt = 0;

  /** Decides locally when it can: spends a held request, or repeats a refusal; "ask" the counter otherwise. */
  use(key: string, now: number): Decision {
    const held = this.#held.get(key);
    if (!held) return "ask";
    if ("refusedUntil" in held) {
      if (now < held.refusedUntil) return { refused: true, retryAfterS: retryAfterS(held.refusedUntil - now) };
    } else if (now < held.until && held.left > 0) {
      held.left -= 1;
      return "allowed";
    }
    this.#held.delete(key);
    return "ask";
  }

  /**
   * Records the counter's answer, of which this request takes one granted
   * request. Grants add up: every granted request was counted, so one that
   * arrives while another lease of the window is still held must not lose it.
   */
  record(key: string, grant: Grant, now: number): Verdict {
    const held = this.#held.get(key);
    const lease = held && "left" in held && now < held.until && held.left > 0 ? held : null;
    this.#held.delete(key);
    if (!grant.allowed) {
      if (lease) return this.#keepLease(key, lease.left - 1, lease.until, now);
      this.#keep(key, { refusedUntil: now + grant.resetInMs }, now);
      return { refused: true, retryAfterS: retryAfterS(grant.resetInMs) };
    }
    const until = Math.min(lease?.until ?? Infinity, now + grant.resetInMs);
    return this.#keepLease(key, (lease?.left ?? 0) + grant.granted - 1, until, now);
  }

  #keepLease(key: string, left: number, until: number, now: number): Verdict {
    if (left > 0) this.#keep(key, { left, until }, now);
    return "allowed";
  }

  get size(): number {
    return this.#held.size;
  }

  #keep(key: string, held: Held, now: number): void {
    if (this.#held.size >= MAX_ENTRIES) {
      // A full sweep is O(entries): at most once a second; in between the oldest entry makes room.
      if (now - this.#sweptAt >= SWEEP_EVERY_MS) {
        this.#sweptAt = now;
        for (const [k, h] of this.#held)
          if (now >= ("refusedUntil" in h ? h.refusedUntil : h.until)) this.#held.delete(k);
      }
      for (const k of this.#held.keys()) {
        if (this.#held.size < MAX_ENTRIES) break;
        this.#held.delete(k);
      }
    }
    this.#held.set(key, held);
  }
}

function retryAfterS(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
