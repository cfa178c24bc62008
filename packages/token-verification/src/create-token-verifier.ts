// Builds a verifier from checked options: prechecks, then the signature (jose), then our claim checks,
// with an optional cache of successful results in front.
import { compactVerify } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JWSHeaderParameters, VerifyOptions } from 'jose';
import { cacheVerifications } from './cache-verifications.js';
import type { Verification } from './cache-verifications.js';
import { checkClaims } from './check-claims.js';
import { TokenVerificationError } from './errors.js';
import { createStaticKeySource } from './key-source.js';
import type { KeySource } from './key-source.js';
import { mapJoseError } from './map-jose-error.js';
import { parseVerifierOptions } from './options.js';
import type { TokenVerifierOptions, VerifierPolicy } from './options.js';
import { precheckToken } from './precheck-token.js';
import { createRemoteKeySource } from './remote-jwks.js';
import type { VerifiedToken } from './verified-token.js';

export interface TokenVerifier {
  /** Resolves with the verified claims, or rejects with a TokenVerificationError (and nothing else). */
  verify(token: string): Promise<VerifiedToken>;
  /**
   * Whether a token could be verified now (for readiness probes): true with a fixed key set or a fresh remote one;
   * a stale remote set is refetched first, never more often than the cooldown allows. Never rejects.
   */
  ready(): Promise<boolean>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const policy = parseVerifierOptions(options);
  const keySource = createKeySource(policy);
  const verifyUncached = uncachedVerification(policy, keySource);
  const verify =
    policy.cache === undefined
      ? verifyUncached
      : cacheVerifications(verifyUncached, {
          ...policy.cache,
          keySource,
          now: policy.now,
          maxTokenAgeSeconds: policy.maxTokenAgeSeconds,
        });
  return {
    async verify(token: string): Promise<VerifiedToken> {
      try {
        return await verify(token);
      } catch (error) {
        // The contract is that only TokenVerificationErrors leave; anything unexpected still refuses.
        throw mapJoseError(error);
      }
    },
    ready: () => keySource.ensureFresh(),
  };
}

function createKeySource(policy: VerifierPolicy): KeySource {
  const { jwks } = policy;
  return jwks.kind === 'static'
    ? createStaticKeySource(jwks.jwks)
    : createRemoteKeySource({ ...jwks, now: policy.now });
}

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
