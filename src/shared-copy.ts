/**
 * An isolate's copy of state that a Durable Object owns (the shared breaker,
 * the operator's switches). Requests read it from memory; it is refreshed in
 * the background at most once per interval, one refresh at a time. A failed
 * refresh keeps the copy and waits for the next interval.
 */
export class SharedCopy<T> {
  #value: T;
  #lastAttemptAt: number | null = null;
  #adopted = false;
  #inFlight: { promise: Promise<void>; startedAt: number } | null = null;

  constructor(initial: T) {
    this.#value = initial;
  }

  get value(): T {
    return this.#value;
  }

  /** Local knowledge that should not wait for the next refresh (this isolate's own failures, an operator's write here). */
  set value(next: T) {
    this.#value = next;
  }

  /** Has not heard from the owner yet and is not done trying for the first time: it only knows the default. */
  get cold(): boolean {
    return !this.#adopted && (this.#lastAttemptAt === null || this.#underWay(Date.now()) !== null);
  }

  due(now: number, intervalMs: number): boolean {
    return this.#underWay(now) === null && (this.#lastAttemptAt === null || now - this.#lastAttemptAt >= intervalMs);
  }

  /**
   * The refresh under way, unless it has run for LOST_REFRESH_MS: it runs in the request that started it
   * and may have ended with it without settling here; it must not keep every later refresh away.
   */
  #underWay(now: number): Promise<void> | null {
    const inFlight = this.#inFlight;
    return inFlight && now - inFlight.startedAt < LOST_REFRESH_MS ? inFlight.promise : null;
  }

  /**
   * Whether a request should wait (briefly) for a refresh before it uses the
   * copy: it only knows the default, or it keeps shoppers away (`doubtful`)
   * and nobody refreshed it for a quiet spell, during which the shared state
   * has most likely moved on (the origin came back, maintenance ended).
   */
  lookFirst(now: number, intervalMs: number, doubtful: boolean): boolean {
    return this.cold || (doubtful && this.due(now, QUIET_SPELL_INTERVALS * intervalMs));
  }

  /** Runs `load` unless a refresh is already under way (then shares it). Never rejects. */
  refresh(load: () => Promise<T>, onError: (error: unknown) => void): Promise<void> {
    const underWay = this.#underWay(Date.now());
    if (underWay) return underWay;
    const started = this.#refresh(load, onError).finally(() => {
      if (this.#inFlight?.promise === started) this.#inFlight = null;
    });
    this.#inFlight = { promise: started, startedAt: Date.now() };
    return started;
  }

  async #refresh(load: () => Promise<T>, onError: (error: unknown) => void): Promise<void> {
    this.#lastAttemptAt = Date.now();
    try {
      this.#value = await load();
      this.#adopted = true;
    } catch (error) {
      onError(error);
    }
  }
}

/** A fresh isolate (or a doubtful copy after a quiet spell) waits this long for shared state before going on. */
const FIRST_LOOK_MS = 100;

/** A refresh (one Durable Object call) still out after this long is taken as lost with its request. */
export const LOST_REFRESH_MS = 10_000;

/** With traffic, copies are refreshed every interval; this many intervals without a refresh is a quiet spell. */
const QUIET_SPELL_INTERVALS = 2;

/** Waits for `promise`, but never longer than `ms`. */
export async function awaitBriefly(promise: Promise<unknown>, ms: number): Promise<void> {
  await settledWithin(promise, ms);
}

/**
 * The value of `promise` if it resolves within `ms`; otherwise (or if it
 * rejects) `{ settled: false }`. For a request that joins work another request
 * started: that work belongs to the other request and ends with it if its
 * client leaves, so the joiner keeps a timer of its own. A request that waits
 * only on another request's I/O is cancelled by the runtime as hung (a 500).
 */
export async function settledWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ settled: true; value: T } | { settled: false }> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const late = new Promise<{ settled: false }>(
    (resolve) => (timer = setTimeout(() => resolve({ settled: false }), ms)),
  );
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ settled: true as const, value }),
        () => ({ settled: false as const }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A refresh a request looks at first: it completes in the background whatever happens; the request waits at most FIRST_LOOK_MS. */
export function awaitFirstLook(
  ctx: { waitUntil(promise: Promise<unknown>): void },
  refresh: Promise<unknown>,
): Promise<void> {
  ctx.waitUntil(refresh);
  return awaitBriefly(refresh, FIRST_LOOK_MS);
}

/** Where work under way is kept by key: a Map, or a WeakMap keyed by the object the work is about. */
type UnderWay<K, T> = {
  get(key: K): Promise<T> | undefined;
  set(key: K, value: Promise<T>): unknown;
  delete(key: K): unknown;
};

/**
 * One run of `work` for `key` at a time in this isolate: a request asking
 * while another request's run is under way waits for it, at most `joinMs`
 * (see `settledWithin`), then runs it itself, and later requests join that
 * run instead. An outage's first seconds bring the same pages from many
 * shoppers at once.
 */
export async function joinOrRun<K, T>(
  underWay: UnderWay<K, T>,
  key: K,
  joinMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const running = underWay.get(key);
  if (running) {
    const joined = await settledWithin(running, joinMs);
    if (joined.settled) return joined.value;
  }
  const started = work().finally(() => {
    if (underWay.get(key) === started) underWay.delete(key);
  });
  underWay.set(key, started);
  return started;
}
