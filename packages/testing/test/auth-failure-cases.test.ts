// The shared failure table mints what each case's name says, and nothing else is wrong with its tokens.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

import { authFailureCases } from '../src/auth-failure-cases.js';
import type { AuthFailureCase } from '../src/auth-failure-cases.js';
import { createTestIssuer, TEST_ISSUER } from '../src/tokens.js';
import type { TestIssuer } from '../src/tokens.js';

let issuer: TestIssuer;
let cases: AuthFailureCase[];
const validClaims = { sub: 'alice', scope: 'orders', act: { sub: 'gateway' } };

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders' });
  cases = await authFailureCases({
    issuer,
    audience: 'orders',
    validClaims,
    foreignCaller: 'image-processor',
    otherAudience: 'payments',
  });
});

function caseNamed(name: string): AuthFailureCase {
  const found = cases.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no case named ${name}`);
  return found;
}

function tokenOf(name: string): string {
  const { authorization } = caseNamed(name);
  if (authorization === undefined || !authorization.startsWith('Bearer ')) {
    throw new Error(`case ${name} sends no bearer token`);
  }
  return authorization.slice('Bearer '.length);
}

const claimsOf = (name: string): JWTPayload => decodeJwt(tokenOf(name));
const headerOf = (name: string): ProtectedHeaderParameters => decodeProtectedHeader(tokenOf(name));

describe('authFailureCases', () => {
  it('lists each case once, with 401 invalid_token or 403 caller_not_allowed', () => {
    expect(cases.map((failure) => [failure.name, failure.status, failure.code])).toEqual([
      ['missing token', 401, 'invalid_token'],
      ['malformed token', 401, 'invalid_token'],
      ['expired token', 401, 'invalid_token'],
      ['token not valid yet', 401, 'invalid_token'],
      ['wrong audience (payments)', 401, 'invalid_token'],
      ['two audiences', 401, 'invalid_token'],
      ['wrong issuer', 401, 'invalid_token'],
      ['wrong algorithm (HS256 with a guessed secret)', 401, 'invalid_token'],
      ['alg none', 401, 'invalid_token'],
      ['signed by a foreign key with our kid', 401, 'invalid_token'],
      ['Basic credentials instead of a bearer token', 401, 'invalid_token'],
      ['issued too long ago (older than auth’s longest lifetime)', 401, 'invalid_token'],
      ['wrong token type (id token)', 401, 'invalid_token'],
      ['missing jti', 401, 'invalid_token'],
      ['wrong caller (image-processor)', 403, 'caller_not_allowed'],
      ['direct user token (no act: the client itself calls)', 403, 'caller_not_allowed'],
    ]);
  });

  it('leaves out the jti case for a service that does not require one', async () => {
    const withoutJti = await authFailureCases({
      issuer,
      audience: 'orders',
      validClaims,
      foreignCaller: 'image-processor',
      otherAudience: 'payments',
      requiresJti: false,
    });
    expect(withoutJti.map((failure) => failure.name)).not.toContain('missing jti');
    expect(withoutJti).toHaveLength(cases.length - 1);
  });

  it('sends no header, or a header that is not a JWT, for the first two', () => {
    expect(caseNamed('missing token').authorization).toBeUndefined();
    expect(caseNamed('malformed token').authorization).toBe('Bearer not-a-jwt');
  });

  it('breaks the time claims', () => {
    const now = Date.now() / 1000;
    expect(Number(claimsOf('expired token').exp)).toBeLessThan(now);
    expect(Number(claimsOf('issued too long ago (older than auth’s longest lifetime)').iat)).toBeLessThan(
      now - 3000,
    );
    expect(Number(claimsOf('token not valid yet').nbf)).toBeGreaterThan(now);
  });

  it('breaks the audience and the issuer', () => {
    expect(claimsOf('wrong audience (payments)').aud).toBe('payments');
    expect(claimsOf('two audiences').aud).toEqual(['orders', 'payments']);
    expect(claimsOf('wrong issuer').iss).not.toBe(TEST_ISSUER);
  });

  it('breaks the algorithm, the key and the type', async () => {
    expect(headerOf('wrong algorithm (HS256 with a guessed secret)').alg).toBe('HS256');
    expect(headerOf('alg none').alg).toBe('none');
    expect(tokenOf('alg none').endsWith('.')).toBe(true);
    expect(headerOf('signed by a foreign key with our kid')).toMatchObject({ alg: 'ES256', kid: issuer.kid });
    await expect(
      jwtVerify(tokenOf('signed by a foreign key with our kid'), createLocalJWKSet(issuer.jwks)),
    ).rejects.toThrow();
    expect(headerOf('wrong token type (id token)').typ).toBe('JWT');
  });

  it('removes jti, and names a foreign caller or none', () => {
    expect(claimsOf('missing jti')).not.toHaveProperty('jti');
    expect(claimsOf('wrong caller (image-processor)').act).toEqual({ sub: 'image-processor' });
    expect(claimsOf('direct user token (no act: the client itself calls)')).not.toHaveProperty('act');
  });

  it('keeps every other minted token valid: signed by the issuer, for the service, with the valid claims', async () => {
    const onlyCallerOrJtiBroken = [
      'missing jti',
      'wrong caller (image-processor)',
      'direct user token (no act: the client itself calls)',
    ];
    for (const name of onlyCallerOrJtiBroken) {
      const { payload } = await jwtVerify(tokenOf(name), createLocalJWKSet(issuer.jwks), {
        issuer: TEST_ISSUER,
        audience: 'orders',
        algorithms: ['ES256'],
        typ: 'at+jwt',
      });
      expect(payload).toMatchObject({ sub: 'alice', scope: 'orders' });
    }
  });
});
