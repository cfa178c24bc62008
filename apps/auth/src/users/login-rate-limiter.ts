// Slows password guessing: token buckets of failed logins per username and per client address, in memory.
// A username is limited whether or not it exists, so the limiter cannot be used to find real accounts.

export interface BucketPolicy {
  /** Failures allowed in a burst. */
  readonly capacity: number;
  /** One failure is forgiven every this many seconds. */
  readonly refillSeconds: number;
}

/** 5 wrong passwords in a row for one name, then one try a minute. */
export const DEFAULT_PER_USERNAME: BucketPolicy = { capacity: 5, refillSeconds: 60 };
/** 20 from one address (a NAT may hide a few people), then one try every 15 s. */
export const DEFAULT_PER_ADDRESS: BucketPolicy = { capacity: 20, refillSeconds: 15 };
/** Bounded memory: an attacker spraying names or addresses evicts the oldest buckets, not the heap. */
export const DEFAULT_MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

class BucketTable {
  readonly #policy: BucketPolicy;
  readonly #maxBuckets: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(policy: BucketPolicy, maxBuckets: number) {
    this.#policy = policy;
    this.#maxBuckets = maxBuckets;
  }

  #refilled(key: string, now: number): Bucket {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return { tokens: this.#policy.capacity, updatedAt: now };
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    const tokens = Math.min(this.#policy.capacity, bucket.tokens + elapsed / this.#policy.refillSeconds);
    return { tokens, updatedAt: now };
  }

  /** Seconds until one more attempt is allowed; 0 when one is allowed now. */
  waitSeconds(key: string, now: number): number {
    const { tokens } = this.#refilled(key, now);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.#policy.refillSeconds);
  }

  consume(key: string, now: number): void {
    const bucket = this.#refilled(key, now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-insert so that Map order is least recently touched first, for eviction.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    while (this.#buckets.size > this.#maxBuckets) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done === true) break;
      this.#buckets.delete(oldest.value);
    }
  }
}

export interface LoginRateLimiterOptions {
  readonly perUsername?: BucketPolicy;
  readonly perAddress?: BucketPolicy;
  readonly maxBuckets?: number;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export class LoginRateLimiter {
  readonly #byUsername: BucketTable;
  readonly #byAddress: BucketTable;
  readonly #now: () => number;

  constructor(options: LoginRateLimiterOptions = {}) {
    const maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    this.#byUsername = new BucketTable(options.perUsername ?? DEFAULT_PER_USERNAME, maxBuckets);
    this.#byAddress = new BucketTable(options.perAddress ?? DEFAULT_PER_ADDRESS, maxBuckets);
    this.#now = options.now ?? Date.now;
  }

  /** Seconds to wait before this attempt may be checked at all; 0 = go ahead. */
  retryAfterSeconds(username: string, address: string): number {
    const now = this.#now();
    return Math.max(this.#byUsername.waitSeconds(username, now), this.#byAddress.waitSeconds(address, now));
  }

  recordFailure(username: string, address: string): void {
    const now = this.#now();
    this.#byUsername.consume(username, now);
    this.#byAddress.consume(address, now);
  }
}
