// Happy paths: what a valid token yields, and the variants the policy deliberately accepts.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { TokenVerificationError } from '../src/index.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  generateSigningKey,
  mint,
  rejectionOf,
  standardClaims,
  verifierFor,
} from './helpers/tokens.js';
import type { SigningKey } from './helpers/tokens.js';

let es256: SigningKey;
let rs256: SigningKey;
let ps256: SigningKey;
let eddsa: SigningKey;

beforeAll(async () => {
  [es256, rs256, ps256, eddsa] = await Promise.all([
    generateSigningKey('ES256', 'es-1'),
    generateSigningKey('RS256', 'rs-1'),
    generateSigningKey('PS256', 'ps-1'),
    generateSigningKey('EdDSA', 'ed-1'),
  ]);
});

describe('verify: accepted tokens', () => {
  it('returns the typed claims, the parsed scopes and the header it used', async () => {
    const token = await verifierFor([es256]).verify(mint(es256, { claims: { act: { sub: 'gateway' } } }));
    expect(token).toMatchObject({
      iss: ISSUER,
      sub: 'user-1',
      aud: AUDIENCE,
      iat: NOW,
      exp: NOW + 300,
      jti: 'token-1',
      client_id: 'web-app',
      scope: 'orders:read orders:write',
      scopes: ['orders:read', 'orders:write'],
      act: { sub: 'gateway' },
      header: { alg: 'ES256', typ: 'at+jwt', kid: 'es-1' },
    });
    expect(token.claims).toEqual(standardClaims({ act: { sub: 'gateway' } }));
  });

  it('returns a deeply frozen result, with claims that inherit nothing', async () => {
    const token = await verifierFor([es256]).verify(mint(es256, { claims: { act: { sub: 'gateway' } } }));
    expect(Object.isFrozen(token)).toBe(true);
    expect(Object.isFrozen(token.scopes)).toBe(true);
    expect(Object.isFrozen(token.claims)).toBe(true);
    expect(Object.isFrozen(token.claims['act'])).toBe(true);
    expect(Object.getPrototypeOf(token.claims)).toBeNull();
    expect(token.claims['constructor']).toBeUndefined();
  });

  it('leaves optional claims out when the token has none, with empty scopes', async () => {
    const token = await verifierFor([es256]).verify(
      mint(es256, { claims: { jti: undefined, scope: undefined, client_id: undefined } }),
    );
    expect(token.scopes).toEqual([]);
    expect('scope' in token || 'jti' in token || 'client_id' in token || 'act' in token).toBe(false);
  });

  it.each([
    ['RS256', () => rs256],
    ['PS256', () => ps256],
    ['EdDSA', () => eddsa],
  ] as const)('accepts %s when it is pinned', async (alg, key) => {
    const verifier = verifierFor([es256, key()], { algorithms: ['ES256', alg] });
    await expect(verifier.verify(mint(key()))).resolves.toMatchObject({ header: { alg } });
  });

  it.each(['application/at+jwt', 'AT+JWT', 'Application/At+Jwt'])('accepts typ %s as at+jwt', async (typ) => {
    await expect(verifierFor([es256]).verify(mint(es256, { header: { typ } }))).resolves.toBeDefined();
  });

  it('accepts a configured typ other than at+jwt, and then refuses at+jwt', async () => {
    const verifier = verifierFor([es256], { typ: 'application/example+jwt' });
    await expect(verifier.verify(mint(es256, { header: { typ: 'example+jwt' } }))).resolves.toBeDefined();
    const error = await rejectionOf(verifier.verify(mint(es256)));
    expect(error).toMatchObject({ code: 'claim_invalid', claim: 'typ' });
  });

  it('accepts an aud array holding exactly this audience, and reports aud as a string', async () => {
    const token = await verifierFor([es256]).verify(mint(es256, { claims: { aud: [AUDIENCE] } }));
    expect(token.aud).toBe(AUDIENCE);
  });

  it('accepts a token without kid when the set holds exactly one key', async () => {
    await expect(
      verifierFor([es256]).verify(mint(es256, { header: { kid: undefined } })),
    ).resolves.toBeDefined();
  });

  it('accepts exp and nbf within the clock tolerance', async () => {
    const verifier = verifierFor([es256]);
    await expect(verifier.verify(mint(es256, { claims: { exp: NOW - 4 } }))).resolves.toBeDefined();
    await expect(verifier.verify(mint(es256, { claims: { nbf: NOW + 5 } }))).resolves.toBeDefined();
    await expect(verifier.verify(mint(es256, { claims: { iat: NOW + 5 } }))).resolves.toBeDefined();
  });

  it('keeps the given required claims in addition to exp, iat and sub', async () => {
    const verifier = verifierFor([es256], { requiredClaims: ['jti'] });
    await expect(verifier.verify(mint(es256))).resolves.toBeDefined();
    const error = await rejectionOf(verifier.verify(mint(es256, { claims: { sub: undefined } })));
    expect(error).toMatchObject({ code: 'claim_invalid', claim: 'sub' });
  });

  it('throws only TokenVerificationError, with a message free of jose codes and of the token', async () => {
    const token = mint(es256, { claims: { aud: 'payments' } });
    const error = await rejectionOf(verifierFor([es256]).verify(token));
    expect(error).toBeInstanceOf(TokenVerificationError);
    const { message } = error as TokenVerificationError;
    expect(message).not.toMatch(/ERR_|JWT|JWS|payments/);
    expect(message).not.toContain(token.split('.')[1]);
  });
});
