// The token policy every Airlock service applies to the internal JWTs auth mints for it: ES256 only, typ
// at+jwt, the service itself as the one audience, and no older than auth's longest token lifetime.
import type { TokenVerifierOptions } from '@airlock/token-verification';

/** Auth issues internal JWTs for at most 5 minutes; an older `iat` is not one of its tokens. */
export const MAX_TOKEN_AGE_SECONDS = 300;

export interface ServiceTokenPolicy {
  /** The service's name in the topology: the single audience its tokens must carry. */
  readonly service: string;
  /** Auth's issuer, exactly as it writes `iss`. */
  readonly issuer: string;
  /** Auth's public JWKS, or the URL to fetch it from. */
  readonly jwks: TokenVerifierOptions['jwks'];
  /** Claims the service needs on top of `exp`, `iat` and `sub` (orders and payments: `jti`). */
  readonly requiredClaims?: readonly string[];
  /** Clock in epoch milliseconds, for tests. */
  readonly now?: () => number;
}

/** Options for createTokenVerifier; every part of the policy is stated here, none left to a default. */
export function serviceTokenVerifierOptions(policy: ServiceTokenPolicy): TokenVerifierOptions {
  return {
    issuer: policy.issuer,
    audience: policy.service,
    algorithms: ['ES256'],
    typ: 'at+jwt',
    jwks: policy.jwks,
    ...(policy.requiredClaims === undefined ? {} : { requiredClaims: policy.requiredClaims }),
    maxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS,
    ...(policy.now === undefined ? {} : { now: policy.now }),
  };
}
