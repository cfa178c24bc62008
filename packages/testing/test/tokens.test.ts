// The test issuer mints what its options and each mint say, and its JWKS verifies exactly its own tokens.
import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';

import { createTestIssuer, TEST_ISSUER, unsignedToken } from '../src/tokens.js';

describe('createTestIssuer', () => {
  it('mints ES256 at+jwt tokens shaped like auth’s, for the given audience, verifiable with its JWKS', async () => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const token = await issuer.mint();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(issuer.jwks), {
      issuer: TEST_ISSUER,
      audience: 'orders',
      algorithms: ['ES256'],
      typ: 'at+jwt',
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: issuer.kid });
    expect(payload).toMatchObject({ sub: 'alice', client_id: 'airlock-cli' });
    expect(typeof payload.jti).toBe('string');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(300);
    expect(issuer.jwks.keys).toHaveLength(1);
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('adds the issuer’s default claims, which a mint can override or remove', async () => {
    const issuer = await createTestIssuer({
      audience: 'image-processor',
      claims: { scope: 'images', act: { sub: 'gateway' } },
    });
    expect(decodeJwt(await issuer.mint())).toMatchObject({
      aud: 'image-processor',
      scope: 'images',
      act: { sub: 'gateway' },
    });
    const changed = decodeJwt(
      await issuer.mint({ claims: { aud: 'orders', scope: 'orders', act: undefined } }),
    );
    expect(changed).toMatchObject({ aud: 'orders', scope: 'orders' });
    expect(changed).not.toHaveProperty('act');
    const bare = decodeJwt(await issuer.mint({ claims: { jti: undefined } }));
    expect(bare).not.toHaveProperty('jti');
  });

  it('signs with another algorithm, type, key or kid when told to', async () => {
    const issuer = await createTestIssuer({ audience: 'payments' });
    const hs256 = await issuer.mint({ alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) });
    expect(decodeProtectedHeader(hs256)).toMatchObject({ alg: 'HS256', kid: issuer.kid });
    expect(decodeProtectedHeader(await issuer.mint({ typ: 'JWT', kid: 'other' }))).toMatchObject({
      typ: 'JWT',
      kid: 'other',
    });
    const attacker = await generateKeyPair('ES256');
    const forged = await issuer.mint({ key: attacker.privateKey });
    await expect(jwtVerify(forged, createLocalJWKSet(issuer.jwks))).rejects.toThrow();
  });

  it('gives every issuer its own key pair', async () => {
    const first = await createTestIssuer({ audience: 'orders' });
    const second = await createTestIssuer({ audience: 'orders' });
    await expect(jwtVerify(await first.mint(), createLocalJWKSet(second.jwks))).rejects.toThrow();
  });
});

describe('unsignedToken', () => {
  it('builds an alg none token with the given claims and an empty signature', () => {
    const token = unsignedToken({ sub: 'alice', aud: 'orders' });
    expect(token.endsWith('.')).toBe(true);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'none', typ: 'at+jwt' });
    expect(decodeJwt(token)).toEqual({ sub: 'alice', aud: 'orders' });
  });
});
