// The phantom-token cache: what auth said about (opaque token, audience, issuer), reused for a bounded time.
// Bounded twice: by time (so a revocation at auth takes effect within `maxTtlMs`) and by size (LRU), so
// neither a slow clock nor a flood of distinct tokens can make the gateway trust or hold more than it should.

/** What auth said about one key. `refused` entries are the negative cache (auth said the token is not valid). */
export type Resolution =
  | {
      readonly kind: 'resolved';
      /** The internal JWT, forwarded as is. */
      readonly jwt: string;
      readonly subject: string;
      readonly clientId: string;
      /** The JWT's `exp`, epoch seconds. */
      readonly expiresAt: number;
    }
  | { readonly kind: 'refused'; readonly reason: RefusalReason };

export type RefusalReason = 'inactive' | 'insufficient_scope';

export interface TokenCacheOptions {
  /** Upper bound on entries; the least recently used one is evicted first. */
  readonly maxEntries: number;
  /** Upper bound on the life of a positive entry, whatever the JWT's `exp`: the revocation bound. */
  readonly maxTtlMs: number;
  /** Life of a negative entry; never more than `maxTtlMs`. */
  readonly negativeTtlMs: number;
  /**
   * A positive entry is dropped this long before the JWT expires, so that a forwarded JWT still has at least
   * this much life left when the service checks it.
   */
  readonly expirySkewMs: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly value: Resolution;
  readonly expiresAtMs: number;
}

export class TokenCache {
  // A Map iterates in insertion order, so re-inserting on a hit makes its first key the least recently used.
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<TokenCacheOptions>;
  /** The key inserted last, i.e. the last in the Map's order (a stale value only costs one re-insert). */
  #newest: string | undefined;

  constructor(options: TokenCacheOptions) {
    checkPositiveInteger('maxEntries', options.maxEntries);
    checkPositiveInteger('maxTtlMs', options.maxTtlMs);
    checkPositiveInteger('negativeTtlMs', options.negativeTtlMs);
    if (!Number.isInteger(options.expirySkewMs) || options.expirySkewMs < 0) {
      throw new TypeError('TokenCache: option "expirySkewMs" must be an integer >= 0');
    }
    if (options.negativeTtlMs > options.maxTtlMs) {
      throw new TypeError('TokenCache: option "negativeTtlMs" must not exceed "maxTtlMs"');
    }
    this.#options = { now: Date.now, ...options };
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Resolution | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#options.now() >= entry.expiresAtMs) {
      this.#entries.delete(key);
      return undefined;
    }
    // Refresh recency: delete and re-insert moves the key to the end of the iteration order (unless it is
    // already there: the hot key of a busy client costs no Map churn).
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry.value;
  }

  /** Stores a result for as long as it may be trusted; returns that lifetime in ms (0: not stored). */
  set(key: string, value: Resolution): number {
    const now = this.#options.now();
    const ttl = this.ttlFor(value, now);
    this.#entries.delete(key);
    if (ttl <= 0) return 0;
    this.#entries.set(key, { value, expiresAtMs: now + ttl });
    this.#newest = key;
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return ttl;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** min(JWT exp - now - skew, maxTtl) for a positive result; the negative TTL for a refusal. */
  ttlFor(value: Resolution, now: number = this.#options.now()): number {
    if (value.kind === 'refused') return this.#options.negativeTtlMs;
    const remaining = value.expiresAt * 1000 - now - this.#options.expirySkewMs;
    return Math.min(Math.floor(remaining), this.#options.maxTtlMs);
  }
}

function checkPositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`TokenCache: option "${option}" must be a positive integer`);
  }
}
