// Slows password guessing: token buckets of failed logins, in memory. Refused (429): a username from one client,
// and one client across usernames. Slowed down, never refused: a username from everywhere, so that someone
// else's wrong guesses cannot lock a user out of the right password (issue 11, finding 2). An attempt is reserved
// before its password is hashed and given back when it succeeds, so concurrent attempts cannot all slip past a
// check that runs before any of them has failed (finding 3). A username is limited whether or not it exists, so
// the limiter cannot be used to find real accounts.

export interface BucketPolicy {
  /** Failures allowed in a burst. */
  readonly capacity: number;
  /** One failure is forgiven every this many seconds. */
  readonly refillSeconds: number;
}

/**
 * 5 wrong passwords for one name from one client, then one try a minute from that client; from everywhere
 * together, the same numbers decide when every further attempt for the name is slowed by USERNAME_SLOWDOWN_MS.
 */
export const DEFAULT_PER_USERNAME: BucketPolicy = { capacity: 5, refillSeconds: 60 };
/** How long an attempt waits before its check once its username has run out of failures from everywhere. */
export const USERNAME_SLOWDOWN_MS = 1000;
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
    this.#adjust(key, now, -1);
  }

  /** Gives back what consume took: the attempt it reserved for turned out not to be a failure. */
  refund(key: string, now: number): void {
    this.#adjust(key, now, 1);
  }

  #adjust(key: string, now: number, delta: number): void {
    const bucket = this.#refilled(key, now);
    bucket.tokens = Math.min(this.#policy.capacity, Math.max(0, bucket.tokens + delta));
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

/** The outcome of reserve: refused with a wait, or reserved, to be settled when the check is done. */
export type LoginReservation =
  | { readonly allowed: false; readonly retryAfterSeconds: number }
  | {
      readonly allowed: true;
      /** Wait this long before checking (the username is under attack from elsewhere); 0 = check now. */
      readonly delayMs: number;
      /** The password was right, or it was never checked: the reservation is given back. */
      release(): void;
    };

/**
 * Where the login limits live: this process (LoginRateLimiter: synchronous, so concurrent attempts see each
 * other) or Redis for every replica (SharedLoginRateLimiter: one atomic script, rejects when Redis is down).
 */
export interface LoginLimiterStore {
  reserve(username: string, address: string): LoginReservation | Promise<LoginReservation>;
}

export interface LoginRateLimiterOptions {
  /** Per username from one client (refused when empty) and from everywhere (slowed down when empty). */
  readonly perUsername?: BucketPolicy;
  readonly perAddress?: BucketPolicy;
  readonly maxBuckets?: number;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

export class LoginRateLimiter implements LoginLimiterStore {
  readonly #byUsernameAndAddress: BucketTable;
  readonly #byUsername: BucketTable;
  readonly #byAddress: BucketTable;
  readonly #now: () => number;

  constructor(options: LoginRateLimiterOptions = {}) {
    const maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    const perUsername = options.perUsername ?? DEFAULT_PER_USERNAME;
    this.#byUsernameAndAddress = new BucketTable(perUsername, maxBuckets);
    this.#byUsername = new BucketTable(perUsername, maxBuckets);
    this.#byAddress = new BucketTable(options.perAddress ?? DEFAULT_PER_ADDRESS, maxBuckets);
    this.#now = options.now ?? Date.now;
  }

  /** Seconds until every bucket of this attempt has a failure to spare; 0 = none is empty. */
  retryAfterSeconds(username: string, address: string): number {
    const now = this.#now();
    return Math.max(this.#refusalWait(username, address, now), this.#byUsername.waitSeconds(username, now));
  }

  recordFailure(username: string, address: string): void {
    this.#settle(username, address, (table, key, now) => {
      table.consume(key, now);
    });
  }

  /**
   * Takes one failure from each bucket before the password is checked (synchronously, so concurrent attempts
   * see each other), or refuses when this client has none left for the name or at all.
   */
  reserve(username: string, address: string): LoginReservation {
    const now = this.#now();
    const wait = this.#refusalWait(username, address, now);
    if (wait > 0) return { allowed: false, retryAfterSeconds: wait };
    const delayMs = this.#byUsername.waitSeconds(username, now) > 0 ? USERNAME_SLOWDOWN_MS : 0;
    this.recordFailure(username, address);
    let settled = false;
    return {
      allowed: true,
      delayMs,
      release: () => {
        if (settled) return;
        settled = true;
        this.#settle(username, address, (table, key, at) => {
          table.refund(key, at);
        });
      },
    };
  }

  #refusalWait(username: string, address: string, now: number): number {
    return Math.max(
      this.#byUsernameAndAddress.waitSeconds(pairKey(username, address), now),
      this.#byAddress.waitSeconds(address, now),
    );
  }

  #settle(
    username: string,
    address: string,
    apply: (table: BucketTable, key: string, now: number) => void,
  ): void {
    const now = this.#now();
    apply(this.#byUsernameAndAddress, pairKey(username, address), now);
    apply(this.#byUsername, username, now);
    apply(this.#byAddress, address, now);
  }
}

// JSON, so no username or address can be crafted to collide with another pair.
function pairKey(username: string, address: string): string {
  return JSON.stringify([username, address]);
}
