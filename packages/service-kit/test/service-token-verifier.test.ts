// The service token policy: what it states, and what a verifier built from it accepts and refuses.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { TestIssuer } from '@airlock/testing/tokens';
import { createTokenVerifier, TokenVerificationError } from '@airlock/token-verification';
import type { TokenVerifier } from '@airlock/token-verification';

import { MAX_TOKEN_AGE_SECONDS, serviceTokenVerifierOptions } from '../src/service-token-verifier.js';

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'payments' });
});

async function refusal(verifier: TokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof TokenVerificationError) return error.code;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

describe('serviceTokenVerifierOptions', () => {
  it('states the whole policy: issuer, the service as audience, ES256, at+jwt, 5 minutes', () => {
    expect(
      serviceTokenVerifierOptions({ service: 'payments', issuer: TEST_ISSUER, jwks: issuer.jwks }),
    ).toEqual({
      issuer: TEST_ISSUER,
      audience: 'payments',
      algorithms: ['ES256'],
      typ: 'at+jwt',
      jwks: issuer.jwks,
      maxTokenAgeSeconds: 300,
    });
    expect(MAX_TOKEN_AGE_SECONDS).toBe(300);
  });

  it('adds required claims and a clock only when given', () => {
    const now = (): number => 0;
    const jwks = new URL('http://127.0.0.1:8081/auth/jwks');
    const options = serviceTokenVerifierOptions({
      service: 'orders',
      issuer: TEST_ISSUER,
      jwks,
      requiredClaims: ['jti'],
      now,
    });
    expect(options).toMatchObject({ audience: 'orders', jwks, requiredClaims: ['jti'], now });
    const without = serviceTokenVerifierOptions({
      service: 'orders',
      issuer: TEST_ISSUER,
      jwks,
      now: undefined,
    });
    expect(Object.keys(without)).not.toContain('now');
    expect(Object.keys(without)).not.toContain('requiredClaims');
  });

  it('builds a verifier that accepts the service’s tokens and refuses the rest', async () => {
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({
        service: 'payments',
        issuer: TEST_ISSUER,
        jwks: issuer.jwks,
        requiredClaims: ['jti'],
      }),
    );
    const now = Math.floor(Date.now() / 1000);
    await expect(verifier.verify(await issuer.mint())).resolves.toMatchObject({
      sub: 'alice',
      aud: 'payments',
    });
    const refused = [
      await issuer.mint({ claims: { aud: 'orders' } }),
      await issuer.mint({ claims: { iss: 'http://127.0.0.1:9999/evil' } }),
      await issuer.mint({ typ: 'JWT' }),
      await issuer.mint({ claims: { jti: undefined } }),
      await issuer.mint({ claims: { iat: now - MAX_TOKEN_AGE_SECONDS - 60, exp: now + 60 } }),
      await issuer.mint({ alg: 'HS256', key: new TextEncoder().encode('a-secret-that-is-32-bytes-long!!') }),
    ];
    for (const token of refused) expect(await refusal(verifier, token)).toEqual(expect.any(String));
  });

  it('does not require a jti unless told to', async () => {
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({ service: 'payments', issuer: TEST_ISSUER, jwks: issuer.jwks }),
    );
    await expect(verifier.verify(await issuer.mint({ claims: { jti: undefined } }))).resolves.toMatchObject({
      sub: 'alice',
    });
  });
});

describe('the entries', () => {
  it('export exactly their public API', async () => {
    const protectedRoutes = await import('../src/protected-routes.js');
    const tokenVerifier = await import('../src/service-token-verifier.js');
    expect(Object.keys(protectedRoutes).sort()).toEqual([
      'authOf',
      'registerProtectedRoutes',
      'routeTokenGuard',
    ]);
    expect(Object.keys(tokenVerifier).sort()).toEqual([
      'MAX_TOKEN_AGE_SECONDS',
      'serviceTokenVerifierOptions',
    ]);
  });
});
