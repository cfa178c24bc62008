// Token-bucket rate limits, one bucket per key (a client IP, a token hash), in bounded memory.
// A bucket refills continuously at `ratePerSecond` up to `burst`; a request takes one token or is refused
// with the number of seconds until one is back (the `Retry-After` of the 429).

export interface RateLimitOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  /** Upper bound on tracked keys; the least recently used bucket is forgotten first. */
  readonly maxKeys: number;
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

const ALLOWED: RateDecision = { allowed: true };

/**
 * Where a limit's counts live: this process (RateLimiter, synchronous: no promise, no allocation on the hot
 * path) or Redis for every replica (@airlock/shared-state's SharedRateLimiter: a promise that rejects when
 * Redis does not answer, and the caller refuses).
 */
export interface RateLimitStore {
  take(key: string): RateDecision | Promise<RateDecision>;
}

export class RateLimiter implements RateLimitStore {
  readonly #buckets = new Map<string, Bucket>();
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** The key inserted last, i.e. the last in the Map's order. */
  #newest: string | undefined;

  constructor(options: RateLimitOptions) {
    if (!Number.isFinite(options.ratePerSecond) || options.ratePerSecond <= 0) {
      throw new TypeError('RateLimiter: option "ratePerSecond" must be a positive number');
    }
    if (!Number.isInteger(options.burst) || options.burst < 1) {
      throw new TypeError('RateLimiter: option "burst" must be an integer >= 1');
    }
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) {
      throw new TypeError('RateLimiter: option "maxKeys" must be an integer >= 1');
    }
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#maxKeys = options.maxKeys;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string): RateDecision {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, updatedAtMs: now };
      this.#buckets.set(key, bucket);
      if (this.#buckets.size > this.#maxKeys) this.#evictOldest();
    } else {
      const refill = (now - bucket.updatedAtMs) * this.#ratePerMs;
      if (refill > 0) bucket.tokens = Math.min(this.#burst, bucket.tokens + refill);
      bucket.updatedAtMs = now;
      // Re-insert to move the key to the end of the Map's order: eviction then drops the idlest bucket, not the
      // (possibly empty) bucket of a client that is active right now. A key that is already the newest (one
      // busy client, one busy token) stays where it is: same order, no Map churn.
      if (key !== this.#newest) {
        this.#buckets.delete(key);
        this.#buckets.set(key, bucket);
      }
    }
    this.#newest = key;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#ratePerMs / 1000)),
    };
  }

  #evictOldest(): void {
    const oldest = this.#buckets.keys().next();
    if (oldest.done !== true) this.#buckets.delete(oldest.value);
  }
}
