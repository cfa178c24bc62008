// The one place where library errors become TokenVerificationErrors. jose's errors are never passed on,
// not even as `cause`: their messages and codes are internals, and some carry the token's payload.
import { errors } from 'jose';
import { TokenVerificationError } from './errors.js';
import type { TokenVerificationErrorCode } from './errors.js';

const MESSAGES: Record<TokenVerificationErrorCode, string> = {
  token_malformed: 'token is malformed',
  alg_not_allowed: 'token algorithm is not allowed',
  signature_invalid: 'token signature is invalid',
  key_not_found: 'no single key in the key set matches the token',
  claim_invalid: 'token claims are invalid',
  token_expired: 'token has expired',
  token_not_yet_valid: 'token is not valid yet',
  jwks_unavailable: 'the key set is unavailable',
};

export function mapJoseError(error: unknown): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  const code = codeFor(error);
  return new TokenVerificationError(code, MESSAGES[code]);
}

function codeFor(error: unknown): TokenVerificationErrorCode {
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg_not_allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature_invalid';
  // Several keys match when a token has no kid and the set has more than one key of its type: refuse
  // rather than try each one.
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'key_not_found';
  }
  // A key in the set that cannot be imported, or a set that cannot be fetched or parsed.
  if (
    error instanceof errors.JWKInvalid ||
    error instanceof errors.JWKSInvalid ||
    error instanceof errors.JWKSTimeout
  ) {
    return 'jwks_unavailable';
  }
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) return 'claim_invalid';
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return 'token_malformed';
  }
  // Anything else (say, jose refusing an RSA key under 2048 bits with a TypeError) means the signature
  // could not be checked; it is still a refusal, never a pass.
  return 'signature_invalid';
}
