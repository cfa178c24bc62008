// A key set turned into what the running server uses: the active key to sign with, the public JWKS to
// publish, and a key resolver that verifies tokens auth issued itself (with any published key).
import { createLocalJWKSet, importJWK, type CryptoKey, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { activeKey, publicJwks, SIGNING_ALG, type SigningKeySet } from './signing-key-set.js';

export interface LoadedSigningKeys {
  readonly set: SigningKeySet;
  readonly activeKid: string;
  readonly signingKey: CryptoKey;
  readonly jwks: JSONWebKeySet;
  readonly verificationKeys: JWTVerifyGetKey;
}

export async function loadSigningKeys(set: SigningKeySet): Promise<LoadedSigningKeys> {
  const active = activeKey(set);
  const signingKey = await importJWK({ ...active.privateJwk }, SIGNING_ALG, { extractable: false });
  if (signingKey instanceof Uint8Array)
    throw new TypeError('the active signing key is not an asymmetric key');
  const jwks = publicJwks(set);
  return { set, activeKid: active.kid, signingKey, jwks, verificationKeys: createLocalJWKSet(jwks) };
}
