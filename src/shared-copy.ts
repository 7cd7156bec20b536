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
  #inFlight: Promise<void> | null = null;

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
    return !this.#adopted && (this.#lastAttemptAt === null || this.#inFlight !== null);
  }

  due(now: number, intervalMs: number): boolean {
    return this.#inFlight === null && (this.#lastAttemptAt === null || now - this.#lastAttemptAt >= intervalMs);
  }

  /** Runs `load` unless a refresh is already under way (then shares it). Never rejects. */
  refresh(load: () => Promise<T>, onError: (error: unknown) => void): Promise<void> {
    this.#inFlight ??= this.#refresh(load, onError).finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
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

/** A fresh isolate waits this long, once, for shared state before going on with the default. */
export const FIRST_LOOK_MS = 100;

/** Waits for `promise`, but never longer than `ms`. */
export async function awaitBriefly(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
