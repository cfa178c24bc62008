// Payments tokens are single-use: each `jti` is accepted once while its token can still verify. In memory and per
// process (per replica) until a shared store exists (issue 12); bounded, and full means refuse, never forget early.
import { serviceUnavailable } from '@airlock/service-kit';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from '@airlock/token-verification';

/** At 30 s per token this is over 3,000 payments a second per replica; beyond it payments refuses (503). */
export const MAX_REMEMBERED_TOKENS = 100_000;

export interface UsedTokensOptions {
  readonly maxEntries?: number;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export class UsedTokens {
  readonly #expiries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: UsedTokensOptions = {}) {
    this.#maxEntries = options.maxEntries ?? MAX_REMEMBERED_TOKENS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records `jti` as used until its token expires (plus the verifier's clock tolerance, while it could still be
   * accepted); false when it was already used.
   */
  use(jti: string, exp: number): boolean {
    const now = this.#now();
    if (this.#has(jti, now)) return false;
    if (this.#expiries.size >= this.#maxEntries) this.#forgetExpired(now);
    if (this.#expiries.size >= this.#maxEntries) throw serviceUnavailable(1);
    this.#expiries.set(jti, (exp + DEFAULT_CLOCK_TOLERANCE_SECONDS) * 1000);
    return true;
  }

  get size(): number {
    return this.#expiries.size;
  }

  #has(jti: string, now: number): boolean {
    const until = this.#expiries.get(jti);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#expiries.delete(jti);
    return false;
  }

  #forgetExpired(now: number): void {
    for (const [jti, until] of this.#expiries) {
      if (until <= now) this.#expiries.delete(jti);
    }
  }
}
