// The token policy of payments: service-kit's policy for auth's internal tokens (ES256, at+jwt, at most 5
// minutes old), addressed to payments, with a jti.
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import type { TokenVerifierOptions } from '@airlock/token-verification';

export function createPaymentsVerifierOptions(
  issuer: string,
  jwks: TokenVerifierOptions['jwks'],
  now?: () => number,
): TokenVerifierOptions {
  return serviceTokenVerifierOptions({ service: 'payments', issuer, jwks, requiredClaims: ['jti'], now });
}
