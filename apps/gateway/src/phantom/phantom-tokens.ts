// Puts the phantom-token pieces together: the key that binds a result to (issuer, audience, token hash), the
// cache lookup the hot path does synchronously, and the single-flight exchange on a miss. The token itself is
// only hashed (SHA-256, once per connection and token: pipeline/authenticate.ts) and sent to auth; it is never
// cached, logged or used as a key.
import { hash } from 'node:crypto';
import { AuthFailure, type TokenResolver } from './resolve-token.js';
import { SingleFlight } from './single-flight.js';
import type { NegativeResultsStore } from '../shared-state.js';
import type { Resolution, TokenCache } from './token-cache.js';

const INACTIVE: Resolution = { kind: 'refused', reason: 'inactive' };

export interface PhantomTokensOptions {
  readonly issuer: string;
  readonly cache: TokenCache;
  readonly resolve: TokenResolver;
  /**
   * Upper bound on distinct exchanges in flight. A flood of made-up tokens (each one a miss) is limited per
   * client IP; this bounds what many IPs together can make the gateway ask of auth, and the memory it holds.
   */
  readonly maxInFlight: number;
  /**
   * Auth's recent "inactive" answers shared by every replica (Redis): asked before auth on a miss, told after
   * auth refused a token. Unset: this process's negative cache only.
   */
  readonly negativeResults?: NegativeResultsStore | undefined;
}

export class PhantomTokens {
  readonly #issuer: string;
  readonly #cache: TokenCache;
  readonly #resolve: TokenResolver;
  readonly #maxInFlight: number;
  readonly #flights = new SingleFlight<Resolution>();
  readonly #prefixes = new Map<string, string>();
  readonly #negativeResults: NegativeResultsStore | undefined;

  constructor(options: PhantomTokensOptions) {
    this.#issuer = options.issuer;
    this.#cache = options.cache;
    this.#resolve = options.resolve;
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new TypeError('PhantomTokens: option "maxInFlight" must be a positive integer');
    }
    this.#maxInFlight = options.maxInFlight;
    this.#negativeResults = options.negativeResults;
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
   * TTL (failures are not cached: they reject, and the next request tries again).
   */
  resolve(key: string, token: string, audience: string): Promise<Resolution> {
    if (!this.#flights.has(key) && this.#flights.size >= this.#maxInFlight) {
      return Promise.reject(new AuthFailure('auth_overloaded', 'too many token exchanges in flight'));
    }
    return this.#flights.run(key, async () => {
      const result = await this.#resolveOnce(token, audience);
      this.#cache.set(key, result);
      return result;
    });
  }

  /** Auth's answer, or another replica's recent "inactive" for this token (which auth gave it). */
  async #resolveOnce(token: string, audience: string): Promise<Resolution> {
    const shared = this.#negativeResults;
    if (shared === undefined) return this.#resolve(token, audience);
    const tokenHash = PhantomTokens.hashToken(token);
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

  /** Calls to auth in flight (tests). */
  get inFlight(): number {
    return this.#flights.size;
  }
}
