// Every jose error class maps to one of our codes, explicitly; nothing of jose's wording leaks through.
import { describe, expect, it } from '@jest/globals';
import { errors } from 'jose';
import { TokenVerificationError } from '../src/index.js';
import { mapJoseError } from '../src/map-jose-error.js';

describe('mapJoseError', () => {
  it.each([
    [new errors.JOSEAlgNotAllowed('x'), 'alg_not_allowed'],
    [new errors.JWSSignatureVerificationFailed(), 'signature_invalid'],
    [new errors.JWKSNoMatchingKey(), 'key_not_found'],
    [new errors.JWKSMultipleMatchingKeys(), 'key_not_found'],
    [new errors.JWKInvalid('x'), 'jwks_unavailable'],
    [new errors.JWKSInvalid('x'), 'jwks_unavailable'],
    [new errors.JWKSTimeout(), 'jwks_unavailable'],
    [new errors.JWTExpired('x', { sub: 'secret-subject' }), 'token_expired'],
    [new errors.JWTClaimValidationFailed('x', { sub: 'secret-subject' }), 'claim_invalid'],
    [new errors.JWSInvalid('x'), 'token_malformed'],
    [new errors.JWTInvalid('x'), 'token_malformed'],
    [new errors.JOSENotSupported('x'), 'token_malformed'],
    [new TypeError('RS256 requires key modulusLength to be 2048 bits or larger'), 'signature_invalid'],
    ['a string', 'signature_invalid'],
  ])('maps %p to %s', (error, code) => {
    const mapped = mapJoseError(error);
    expect(mapped).toBeInstanceOf(TokenVerificationError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).not.toMatch(/ERR_|secret-subject|modulusLength/);
    expect(mapped.cause).toBeUndefined();
  });

  it('passes its own errors through unchanged', () => {
    const own = new TokenVerificationError('claim_invalid', 'token claim "aud" is missing or invalid', 'aud');
    expect(mapJoseError(own)).toBe(own);
  });
});
