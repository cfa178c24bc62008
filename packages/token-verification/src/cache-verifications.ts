// Puts the verified-token cache in front of a verification: serves repeat tokens from memory while the key
// set is fresh, forgets everything when a key is withdrawn, and never stores a result that may rest on one.
import type { KeySource } from './key-source.js';
import { MAX_TOKEN_LENGTH } from './precheck-token.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import type { VerifiedToken } from './verified-token.js';

export type Verification = (token: string) => Promise<VerifiedToken>;

export interface CacheVerificationsOptions {
  readonly maxEntries: number;
  readonly maxTtlSeconds: number;
  readonly keySource: Pick<KeySource, 'generation' | 'isFresh'>;
  readonly now: () => number;
  readonly maxTokenAgeSeconds: number | undefined;
}

export function cacheVerifications(verify: Verification, options: CacheVerificationsOptions): Verification {
  const { keySource, now, maxTokenAgeSeconds } = options;
  const cache = new VerifiedTokenCache(options.maxEntries, options.maxTtlSeconds);
  let cacheGeneration = keySource.generation;
  return async (token) => {
    // Oversized or non-string input goes straight to the prechecks that refuse it, without being hashed.
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return verify(token);
    if (keySource.generation !== cacheGeneration) {
      // A key was withdrawn: nothing verified before may be served again without a fresh check.
      cache.clear();
      cacheGeneration = keySource.generation;
    }
    const key = VerifiedTokenCache.keyOf(token);
    // A hit is served only while the key set is fresh; a stale set is refreshed by the full path first.
    const hit = keySource.isFresh() ? cache.get(key, now()) : undefined;
    if (hit !== undefined) return hit;
    const generation = keySource.generation;
    const verified = await verify(token);
    // Keys were withdrawn while this ran (and the cache may already have been flushed): the result may rest
    // on a withdrawn key, so it is returned this once but not stored.
    if (keySource.generation === generation) {
      cache.set(key, verified, now(), notAfter(verified, maxTokenAgeSeconds));
    }
    return verified;
  };
}

/** The last instant (epoch ms) a verification may be reused: exp, or iat + max token age if earlier. */
function notAfter(token: VerifiedToken, maxTokenAgeSeconds: number | undefined): number {
  const byAge = maxTokenAgeSeconds === undefined ? Infinity : token.iat + maxTokenAgeSeconds;
  return Math.min(token.exp, byAge) * 1000;
}
