// Where verification keys come from: a fixed JWKS given at construction, or a remote one (remote-jwks.ts).
import { createLocalJWKSet, errors } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters } from 'jose';
import { TokenVerificationError } from './errors.js';

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

export interface KeySource {
  /** Resolves the one key for a token header, in the shape jose's key-resolver functions have. */
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** Whether the key set may be used without a refresh first; no side effects, so it may run before prechecks. */
  isFresh(): boolean;
  /** Changes whenever a key is withdrawn: results verified under an older generation are stale. */
  readonly generation: number;
  /** Whether a token could be checked now: refreshes a stale set first, within the same cooldown as getKey. */
  ensureFresh(): Promise<boolean>;
}

export function createStaticKeySource(jwks: JSONWebKeySet): KeySource {
  let keys: LocalKeySet;
  try {
    keys = createLocalJWKSet(jwks);
  } catch {
    throw new TypeError('"jwks" option is not a valid JSON Web Key Set');
  }
  return {
    getKey: (header, token) => selectKey(keys, header, token),
    isFresh: () => true,
    generation: 0,
    ensureFresh: () => Promise.resolve(true),
  };
}

/** Picks the one key for a header; a matching key that cannot be used means the set is broken. */
export async function selectKey(
  keys: LocalKeySet,
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
): Promise<CryptoKey> {
  try {
    return await keys(header, token);
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
      throw error;
    throw new TokenVerificationError('jwks_unavailable', 'the key set holds a key that cannot be used');
  }
}
