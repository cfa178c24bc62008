// Puts the phantom-token pieces together: the key that binds a result to (issuer, audience, token hash), the
// cache lookup the hot path does synchronously, and the single-flight exchange on a miss. The token itself is
// only hashed (SHA-256, once per request) and sent to auth; it is never stored, logged or used as a key.
import { hash } from 'node:crypto';
import { SingleFlight } from './single-flight.js';
import type { TokenResolver } from './resolve-token.js';
import type { Resolution, TokenCache } from './token-cache.js';

export interface PhantomTokensOptions {
  readonly issuer: string;
  readonly cache: TokenCache;
  readonly resolve: TokenResolver;
}

export class PhantomTokens {
  readonly #issuer: string;
  readonly #cache: TokenCache;
  readonly #resolve: TokenResolver;
  readonly #flights = new SingleFlight<Resolution>();
  readonly #prefixes = new Map<string, string>();

  constructor(options: PhantomTokensOptions) {
    this.#issuer = options.issuer;
    this.#cache = options.cache;
    this.#resolve = options.resolve;
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
    return this.#flights.run(key, async () => {
      const result = await this.#resolve(token, audience);
      this.#cache.set(key, result);
      return result;
    });
  }

  /** Calls to auth in flight (tests). */
  get inFlight(): number {
    return this.#flights.size;
  }
}
