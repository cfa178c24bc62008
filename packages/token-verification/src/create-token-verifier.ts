// Builds a verifier from checked options: prechecks, then the signature (jose), then our claim checks,
// with an optional cache of successful results in front.
import { compactVerify } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JWSHeaderParameters, VerifyOptions } from 'jose';
import { checkClaims } from './check-claims.js';
import { TokenVerificationError } from './errors.js';
import { createStaticKeySource } from './key-source.js';
import type { KeySource } from './key-source.js';
import { mapJoseError } from './map-jose-error.js';
import { parseVerifierOptions } from './options.js';
import type { TokenVerifierOptions, VerifiedTokenCacheOptions, VerifierPolicy } from './options.js';
import { MAX_TOKEN_LENGTH, precheckToken } from './precheck-token.js';
import { createRemoteKeySource } from './remote-jwks.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
import type { VerifiedToken } from './verified-token.js';

export interface TokenVerifier {
  /** Resolves with the verified claims, or rejects with a TokenVerificationError (and nothing else). */
  verify(token: string): Promise<VerifiedToken>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const policy = parseVerifierOptions(options);
  const keySource = createKeySource(policy);
  const verifyUncached = uncachedVerification(policy, keySource);
  const verify =
    policy.cache === undefined
      ? verifyUncached
      : cachedVerification(policy.cache, policy, keySource, verifyUncached);
  return {
    async verify(token: string): Promise<VerifiedToken> {
      try {
        return await verify(token);
      } catch (error) {
        // The contract is that only TokenVerificationErrors leave; anything unexpected still refuses.
        throw mapJoseError(error);
      }
    },
  };
}

function createKeySource(policy: VerifierPolicy): KeySource {
  const { jwks } = policy;
  return jwks.kind === 'static'
    ? createStaticKeySource(jwks.jwks)
    : createRemoteKeySource({ ...jwks, now: policy.now });
}

type Verification = (token: string) => Promise<VerifiedToken>;

function uncachedVerification(policy: VerifierPolicy, keySource: KeySource): Verification {
  const getKey = (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> =>
    keySource.getKey(header, token);
  // jose enforces the same allowlist again; belt and braces for the one check that matters most.
  const verifyOptions: VerifyOptions = { algorithms: [...policy.algorithmList] };
  return async (token) => {
    const header = precheckToken(token, policy);
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, getKey, verifyOptions));
    } catch (error) {
      throw mapJoseError(error);
    }
    return checkClaims(parsePayload(payload), header, policy, policy.now() / 1000);
  };
}

function parsePayload(payload: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(payload));
  } catch {
    throw new TokenVerificationError('token_malformed', 'token payload is not JSON');
  }
}

function cachedVerification(
  cacheOptions: VerifiedTokenCacheOptions,
  policy: VerifierPolicy,
  keySource: KeySource,
  verifyUncached: Verification,
): Verification {
  const cache = new VerifiedTokenCache(cacheOptions.maxEntries, cacheOptions.maxTtlSeconds);
  let cacheGeneration = keySource.generation;
  return async (token) => {
    // Oversized or non-string input goes straight to the prechecks that refuse it, without being hashed.
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return verifyUncached(token);
    if (keySource.generation !== cacheGeneration) {
      // A key was withdrawn: nothing verified before may be served again without a fresh check.
      cache.clear();
      cacheGeneration = keySource.generation;
    }
    const key = VerifiedTokenCache.keyOf(token);
    // A hit is served only while the key set is fresh; a stale set is refreshed by the full path first.
    const hit = keySource.isFresh() ? cache.get(key, policy.now()) : undefined;
    if (hit !== undefined) return hit;
    const generation = keySource.generation;
    const verified = await verifyUncached(token);
    // If keys were withdrawn while this verification ran, its result may rest on a withdrawn key.
    if (keySource.generation === generation) {
      cache.set(key, verified, policy.now(), notAfter(verified, policy));
    }
    return verified;
  };
}

function notAfter(token: VerifiedToken, policy: VerifierPolicy): number {
  const byAge = policy.maxTokenAgeSeconds === undefined ? Infinity : token.iat + policy.maxTokenAgeSeconds;
  return Math.min(token.exp, byAge) * 1000;
}
