// The token policy of orders: only ES256 JWTs from auth, addressed to orders, short-lived, with a jti.
import type { TokenVerifierOptions } from '@airlock/token-verification';

/** Auth issues internal JWTs for at most 5 minutes; an older `iat` is not one of its tokens. */
export const MAX_TOKEN_AGE_SECONDS = 300;

export function createOrdersVerifierOptions(
  issuer: string,
  jwks: TokenVerifierOptions['jwks'],
  now?: () => number,
): TokenVerifierOptions {
  return {
    issuer,
    audience: 'orders',
    algorithms: ['ES256'],
    jwks,
    requiredClaims: ['jti'],
    maxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS,
    ...(now === undefined ? {} : { now }),
  };
}
