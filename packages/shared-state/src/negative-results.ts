// Briefly shared negative token results: when auth said a token is not (or no longer) valid, every gateway may
// answer 401 for it without asking auth again, for a few seconds. Only refusals are shared, never a positive
// result or a JWT: whoever can write to Redis can make a token look invalid (denial), never valid.
// Lookups are best effort: when Redis does not answer, the gateway asks auth as it would without Redis.
import type { Redis } from 'ioredis';
import { answerOf } from './connection.js';

export const NEGATIVE_KEY_PREFIX = 'airlock:inactive:';

export interface SharedNegativeResultsOptions {
  readonly redis: Redis;
  /** Auth's issuer: results of one issuer never answer for another. */
  readonly issuer: string;
  /** How long a refusal is shared. */
  readonly ttlMs: number;
}

export class SharedNegativeResults {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(options: SharedNegativeResultsOptions) {
    this.#redis = options.redis;
    this.#prefix = `${NEGATIVE_KEY_PREFIX}${options.issuer}\u0000`;
    this.#ttlMs = options.ttlMs;
  }

  /** True when some replica learned in the last `ttlMs` that this token is inactive; false when unknown or Redis is down. */
  async isInactive(tokenHash: string): Promise<boolean> {
    try {
      return (await answerOf(this.#redis, this.#redis.exists(this.#prefix + tokenHash))) === 1;
    } catch {
      return false;
    }
  }

  /** Shares auth's refusal of this token; a failure only means the others ask auth themselves. */
  async recordInactive(tokenHash: string): Promise<void> {
    try {
      await answerOf(this.#redis, this.#redis.set(this.#prefix + tokenHash, '1', 'PX', this.#ttlMs));
    } catch {
      // Best effort (see the module comment).
    }
  }
}
