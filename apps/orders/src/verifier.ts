// The token policy of orders: service-kit's policy for auth's internal tokens (ES256, at+jwt, at most 5 minutes
// old), addressed to orders, with a jti.
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import type { TokenVerifierOptions } from '@airlock/token-verification';

export function createOrdersVerifierOptions(
  issuer: string,
  jwks: TokenVerifierOptions['jwks'],
  now?: () => number,
): TokenVerifierOptions {
  return serviceTokenVerifierOptions({ service: 'orders', issuer, jwks, requiredClaims: ['jti'], now });
}
