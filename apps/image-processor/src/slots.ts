// A fixed number of slots for work that costs memory or CPU, in total or per user. Acquiring never waits: when
// every slot is taken the caller refuses the request (503, or 429 for one user's share) instead of queueing it.

export class Slots {
  readonly size: number;
  #inUse = 0;

  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new TypeError('Slots: "size" must be a positive integer');
    this.size = size;
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** A release function (safe to call more than once), or undefined when every slot is taken. */
  tryAcquire(): (() => void) | undefined {
    if (this.#inUse >= this.size) return undefined;
    this.#inUse += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= 1;
    };
  }
}

/** Slots counted per key (a user): each key may hold `perKey` at once, whatever the others hold. */
export class PerKeySlots {
  readonly perKey: number;
  readonly #inUse = new Map<string, number>();

  constructor(perKey: number) {
    if (!Number.isSafeInteger(perKey) || perKey < 1)
      throw new TypeError('PerKeySlots: "perKey" must be a positive integer');
    this.perKey = perKey;
  }

  /** Keys holding at least one slot; a key is forgotten when it holds none, so memory follows what is in flight. */
  get keys(): number {
    return this.#inUse.size;
  }

  /** A release function (safe to call more than once), or undefined when this key holds every slot it may. */
  tryAcquire(key: string): (() => void) | undefined {
    const held = this.#inUse.get(key) ?? 0;
    if (held >= this.perKey) return undefined;
    this.#inUse.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const remaining = (this.#inUse.get(key) ?? 1) - 1;
      if (remaining === 0) this.#inUse.delete(key);
      else this.#inUse.set(key, remaining);
    };
  }
}
