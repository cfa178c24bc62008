// Caps how many passwords are hashed at once. scrypt runs on libuv's thread pool (4 threads), which token
// exchange also needs for signing and verifying: a flood of sign-ins must not leave it none (issue 11,
// finding 3). Waiters queue briefly; beyond the queue or the wait, the attempt is told to come back (503).

/** One scrypt at a time leaves the rest of the pool, and a core, to token exchange; ~50 ms each, ~20 per second. */
export const DEFAULT_MAX_CONCURRENT_CHECKS = 1;
/** Attempts that may wait for a check; more are refused at once. */
export const DEFAULT_MAX_WAITING_CHECKS = 32;
/** How long an attempt may wait for its check before it is refused. */
export const DEFAULT_MAX_WAIT_MS = 2000;

export interface PasswordCheckGateOptions {
  readonly maxConcurrent?: number;
  readonly maxWaiting?: number;
  readonly maxWaitMs?: number;
}

export type GateOutcome<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

export class PasswordCheckGate {
  readonly #maxConcurrent: number;
  readonly #maxWaiting: number;
  readonly #maxWaitMs: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(options: PasswordCheckGateOptions = {}) {
    this.#maxConcurrent = positiveInteger(
      options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_CHECKS,
      'maxConcurrent',
    );
    this.#maxWaiting = positiveInteger(options.maxWaiting ?? DEFAULT_MAX_WAITING_CHECKS, 'maxWaiting');
    this.#maxWaitMs = positiveInteger(options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, 'maxWaitMs');
  }

  /** Runs `check` once a slot is free; `{ ran: false }` when none frees up in time or the queue is full. */
  async run<T>(check: () => Promise<T>): Promise<GateOutcome<T>> {
    if (!(await this.#acquire())) return { ran: false };
    try {
      return { ran: true, value: await check() };
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<boolean> {
    if (this.#running < this.#maxConcurrent) {
      this.#running += 1;
      return Promise.resolve(true);
    }
    if (this.#waiting.length >= this.#maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = this.#waiting.indexOf(wake);
        if (index !== -1) this.#waiting.splice(index, 1);
        resolve(false);
      }, this.#maxWaitMs);
      this.#waiting.push(wake);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter; only when nobody waits is it freed.
    if (next === undefined) this.#running -= 1;
    else next();
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`PasswordCheckGate: "${name}" must be a positive integer`);
  }
  return value;
}
