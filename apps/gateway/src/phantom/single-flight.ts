// Coalesces concurrent work for one key into one call: a burst of requests carrying the same new token costs
// auth one exchange, not one per request. The in-flight entry is removed when the call settles, success or
// not, so a failure is shared by the callers that were waiting for it and never remembered beyond them.

export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Number of calls in flight (for tests and metrics). */
  get size(): number {
    return this.#inFlight.size;
  }

  /** True when a call for `key` is in flight (joining it costs nothing). */
  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  /** The call in flight for `key`, to join it. */
  get(key: string): Promise<T> | undefined {
    return this.#inFlight.get(key);
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    // `then` defers `work` by a microtask, so even a synchronous throw settles after the entry is registered,
    // and `finally` removes exactly this call's entry.
    const call: Promise<T> = Promise.resolve()
      .then(work)
      .finally(() => {
        if (this.#inFlight.get(key) === call) this.#inFlight.delete(key);
      });
    this.#inFlight.set(key, call);
    return call;
  }
}
