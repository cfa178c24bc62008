// A fixed number of slots for work that costs memory or CPU. Acquiring never waits: when every slot is taken the
// caller refuses the request (503) instead of queueing it.

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
