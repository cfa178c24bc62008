// Puts the phantom-token pieces together: the key that binds a result to (issuer, audience, token hash), the
// cache lookup the hot path does synchronously, and the single-flight exchange on a miss. The token itself is
// only hashed (SHA-256, once per connection and token: pipeline/authenticate.ts) and sent to auth; it is never
// cached, logged or used as a key.
import { hash } from 'node:crypto';
import { AuthFailure, type TokenResolver } from './resolve-token.js';
import { SingleFlight } from './single-flight.js';
import type { UserIntent } from '@airlock/topology';
import type { NegativeResultsStore } from '../shared-state.js';
import type { Resolution, TokenCache } from './token-cache.js';

const INACTIVE: Resolution = { kind: 'refused', reason: 'inactive' };

export interface PhantomTokensOptions {
  readonly issuer: string;
  readonly cache: TokenCache;
  readonly resolve: TokenResolver;
  /**
   * Upper bound on distinct exchanges in flight: what many clients together can make the gateway ask of auth,
   * and the memory it holds.
   */
  readonly maxInFlight: number;
  /**
   * Auth's recent "inactive" answers shared by every replica (Redis): asked before auth on a miss, told after
   * auth refused a token. Unset: this process's negative cache only.
   */
  readonly negativeResults?: NegativeResultsStore | undefined;
  /**
   * Upper bound on the exchanges in flight that one client key started, so that a client spraying made-up
   * tokens (each one a miss) cannot hold the whole `maxInFlight` and starve other clients' first calls.
   * Joining an exchange already in flight is free and counts for no one.
   */
  readonly maxPerClient: number;
}

export class PhantomTokens {
  readonly #issuer: string;
  readonly #cache: TokenCache;
  readonly #resolve: TokenResolver;
  readonly #maxInFlight: number;
  readonly #maxPerClient: number;
  /** Exchanges in flight per client key that started them; a key leaves the map when its count is 0. */
  readonly #perClient = new Map<string, number>();
  readonly #flights = new SingleFlight<Resolution>();
  /** Intent exchanges in flight: each is its own call (no joining, no cache), under the same caps. */
  #freshInFlight = 0;
  readonly #prefixes = new Map<string, string>();
  readonly #negativeResults: NegativeResultsStore | undefined;

  constructor(options: PhantomTokensOptions) {
    this.#issuer = options.issuer;
    this.#cache = options.cache;
    this.#resolve = options.resolve;
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new TypeError('PhantomTokens: option "maxInFlight" must be a positive integer');
    }
    if (
      !Number.isInteger(options.maxPerClient) ||
      options.maxPerClient < 1 ||
      options.maxPerClient > options.maxInFlight
    ) {
      throw new TypeError('PhantomTokens: option "maxPerClient" must be an integer from 1 to "maxInFlight"');
    }
    this.#maxInFlight = options.maxInFlight;
    this.#negativeResults = options.negativeResults;
    this.#maxPerClient = options.maxPerClient;
  }

  /** SHA-256 of the token, base64url: what rate limits and cache keys use instead of the token. */
  static hashToken(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  /** The cache and single-flight key. NUL cannot occur in an issuer URL, an audience name or base64url. */
  key(audience: string, tokenHash: string): string {
    let prefix = this.#prefixes.get(audience);
    if (prefix === undefined) {
      prefix = `${this.#issuer}\u0000${audience}\u0000`;
      this.#prefixes.set(audience, prefix);
    }
    return prefix + tokenHash;
  }

  /** The hot path: a cached result, or undefined on a miss. */
  cached(key: string): Resolution | undefined {
    return this.#cache.get(key);
  }

  /**
   * The miss path: one call to auth per key however many requests wait for it; the result is cached for its
   * TTL, a refusal (an unknown or revoked token) as a negative entry under the same key (failures are not
   * cached: they reject, and the next request tries again). `clientKey` is who starts the call: its share.
   */
  resolve(key: string, token: string, audience: string, clientKey: string): Promise<Resolution> {
    const pending = this.#flights.get(key);
    if (pending !== undefined) return pending;
    const full = this.#take(clientKey);
    if (full !== undefined) return Promise.reject(full);
    return this.#flights.run(key, async () => {
      try {
        const result = await this.#resolveOnce(key, token, audience);
        this.#cache.set(key, result);
        return result;
      } finally {
        this.#release(clientKey);
      }
    });
  }

  /**
   * A token carrying the user's intent for this one request: always asked of auth (each intent is redeemed once,
   * so no two requests may share one), never cached, and counted against the same caps as every exchange
   * (a client paying more than its share at once is told 429, as for any other exchange).
   */
  async resolveWithIntent(
    key: string,
    token: string,
    audience: string,
    clientKey: string,
    intent: UserIntent,
  ): Promise<Resolution> {
    const full = this.#take(clientKey);
    if (full !== undefined) throw full;
    this.#freshInFlight += 1;
    try {
      const result = await this.#resolve(token, audience, intent);
      // Only auth's "inactive" is remembered (the negative cache, under the audience's key); a token never is.
      if (result.kind === 'refused' && result.reason === 'inactive') this.#cache.set(key, result);
      return result;
    } finally {
      this.#freshInFlight -= 1;
      this.#release(clientKey);
    }
  }

  /** Takes one exchange slot for `clientKey`, or the failure that says which cap is full. */
  #take(clientKey: string): AuthFailure | undefined {
    if (this.inFlight >= this.#maxInFlight) {
      return new AuthFailure('auth_overloaded', 'too many token exchanges in flight');
    }
    const held = this.#perClient.get(clientKey) ?? 0;
    if (held >= this.#maxPerClient) {
      return new AuthFailure('rate_limited_exchanges', "the client's share of token exchanges is in flight");
    }
    this.#perClient.set(clientKey, held + 1);
    return undefined;
  }

  /**
   * Auth's answer, or another replica's recent "inactive" for this token (which auth gave it). The token was
   * hashed once, for its key; the shared store is asked with that digest, read back from the key.
   */
  async #resolveOnce(key: string, token: string, audience: string): Promise<Resolution> {
    const shared = this.#negativeResults;
    if (shared === undefined) return this.#resolve(token, audience);
    const tokenHash = hashOfKey(key);
    if (await shared.isInactive(tokenHash)) return INACTIVE;
    const result = await this.#resolve(token, audience);
    // Only "inactive" is about the token itself; insufficient_scope is about this audience.
    if (result.kind === 'refused' && result.reason === 'inactive') await shared.recordInactive(tokenHash);
    return result;
  }

  /** Auth revoked this token: every audience's cached result for it goes (revocation fan-out). */
  dropToken(tokenHash: string): void {
    for (const prefix of this.#prefixes.values()) this.#cache.delete(prefix + tokenHash);
  }

  #release(clientKey: string): void {
    const held = this.#perClient.get(clientKey) ?? 0;
    if (held <= 1) this.#perClient.delete(clientKey);
    else this.#perClient.set(clientKey, held - 1);
  }

  /** Exchanges in flight that this client key started (tests). */
  heldBy(clientKey: string): number {
    return this.#perClient.get(clientKey) ?? 0;
  }

  /** Calls to auth in flight (tests). */
  get inFlight(): number {
    return this.#flights.size + this.#freshInFlight;
  }
}

/** The token hash a key ends with (`key()`: NUL-separated, and NUL occurs in none of its parts). */
function hashOfKey(key: string): string {
  return key.slice(key.lastIndexOf('\u0000') + 1);
}
