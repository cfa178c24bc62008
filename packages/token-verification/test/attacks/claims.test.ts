// Tokens that are correctly signed but say the wrong thing: type, issuer, audience, lifetime, claim shapes.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { AUDIENCE, NOW, generateSigningKey, mint, rejectionOf, verifierFor } from '../helpers/tokens.js';
import type { MintOptions, SigningKey } from '../helpers/tokens.js';
import type { TokenVerifierOptions } from '../../src/index.js';

let es256: SigningKey;

beforeAll(async () => {
  es256 = await generateSigningKey('ES256', 'es-1');
});

async function failureOf(options: MintOptions, policy: Partial<TokenVerifierOptions> = {}): Promise<unknown> {
  return rejectionOf(verifierFor([es256], policy).verify(mint(es256, options)));
}

describe('typ', () => {
  it.each(['JWT', 'jwt', 'application/jwt', 'at+jwt2', 'application/at+jwt; charset=utf-8', 'at+JWT '])(
    'refuses typ %j',
    async (typ) => {
      await expect(failureOf({ header: { typ } })).resolves.toMatchObject({
        code: 'claim_invalid',
        claim: 'typ',
      });
    },
  );

  it('refuses a missing typ', async () => {
    await expect(failureOf({ header: { typ: undefined } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'typ',
    });
  });

  it('refuses a non-string typ', async () => {
    await expect(failureOf({ header: { typ: ['at+jwt'] } })).resolves.toMatchObject({
      code: 'claim_invalid',
    });
  });
});

describe('iss', () => {
  it.each([
    ['wrong', 'https://evil.test'],
    ['differing by a trailing slash', 'https://auth.airlock.test/'],
    ['differing in case', 'https://AUTH.airlock.test'],
    ['an array holding the issuer', ['https://auth.airlock.test']],
    ['missing', undefined],
  ])('refuses an iss that is %s', async (_label, iss) => {
    await expect(failureOf({ claims: { iss } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'iss',
    });
  });
});

describe('aud', () => {
  it.each([
    ['another service', 'payments'],
    ['missing', undefined],
    ['an array of two including this service', [AUDIENCE, 'payments']],
    ['an array of two copies of this service', [AUDIENCE, AUDIENCE]],
    ['an array of one other service', ['payments']],
    ['an empty array', []],
    ['differing in case', 'Orders'],
    ['a number', 1],
  ])('refuses an aud that is %s', async (_label, aud) => {
    await expect(failureOf({ claims: { aud } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'aud',
    });
  });
});

describe('exp, nbf, iat and token age (clock frozen at NOW, tolerance 5 s)', () => {
  it('refuses an expired token', async () => {
    await expect(failureOf({ claims: { exp: NOW - 60 } })).resolves.toMatchObject({
      code: 'token_expired',
      claim: 'exp',
    });
  });

  it('refuses a token exactly at the end of the tolerance', async () => {
    await expect(failureOf({ claims: { exp: NOW - 5 } })).resolves.toMatchObject({ code: 'token_expired' });
  });

  it('refuses an expired token with zero tolerance', async () => {
    await expect(failureOf({ claims: { exp: NOW } }, { clockToleranceSeconds: 0 })).resolves.toMatchObject({
      code: 'token_expired',
    });
  });

  it('refuses a token whose nbf is in the future', async () => {
    await expect(failureOf({ claims: { nbf: NOW + 60 } })).resolves.toMatchObject({
      code: 'token_not_yet_valid',
      claim: 'nbf',
    });
  });

  it('refuses a missing exp', async () => {
    await expect(failureOf({ claims: { exp: undefined } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'exp',
    });
  });

  it.each([
    ['a numeric string', String(NOW + 300)],
    ['a boolean', true],
    ['an object', { value: NOW + 300 }],
    ['an array', [NOW + 300]],
    ['null', null],
    ['an overflowing number', 'INFINITY'],
  ])('refuses an exp that is %s', async (_label, exp) => {
    // JSON cannot spell Infinity, but 1e400 parses to it.
    const options =
      exp === 'INFINITY'
        ? {
            payloadText: `{"iss":"https://auth.airlock.test","sub":"u","aud":"orders","iat":${NOW},"exp":1e400}`,
          }
        : { claims: { exp } };
    await expect(failureOf(options)).resolves.toMatchObject({ code: 'claim_invalid', claim: 'exp' });
  });

  it.each([
    ['a string', 'later'],
    ['null', null],
  ])('refuses an nbf that is %s', async (_label, nbf) => {
    await expect(failureOf({ claims: { nbf } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'nbf',
    });
  });

  it('refuses an iat in the future beyond the tolerance', async () => {
    await expect(failureOf({ claims: { iat: NOW + 60 } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'iat',
    });
  });

  it('refuses a non-numeric iat', async () => {
    await expect(failureOf({ claims: { iat: '1750000000' } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'iat',
    });
  });

  it('refuses a token older than maxTokenAgeSeconds, though its exp is still ahead', async () => {
    const options = { claims: { iat: NOW - 120, exp: NOW + 3600 } };
    await expect(failureOf(options, { maxTokenAgeSeconds: 60 })).resolves.toMatchObject({
      code: 'token_expired',
      claim: 'iat',
    });
    await expect(
      verifierFor([es256], { maxTokenAgeSeconds: 200 }).verify(mint(es256, options)),
    ).resolves.toBeDefined();
  });
});

describe('required claims and claim shapes', () => {
  it.each(['sub', 'iat'])('refuses a token without %s', async (claim) => {
    await expect(failureOf({ claims: { [claim]: undefined } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim,
    });
  });

  it('refuses a token without a configured extra required claim', async () => {
    await expect(
      failureOf({ claims: { jti: undefined } }, { requiredClaims: ['jti'] }),
    ).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'jti',
    });
  });

  it('refuses a required claim that is null', async () => {
    await expect(failureOf({ claims: { sub: null } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim: 'sub',
    });
  });

  it.each([
    ['sub', ''],
    ['sub', 42],
    ['sub', { id: 'user-1' }],
    ['jti', 7],
    ['client_id', ''],
    ['client_id', ['web-app']],
    ['scope', ['orders:read']],
    ['scope', ''],
    ['scope', ' orders:read'],
    ['scope', 'orders:read  orders:write'],
    ['scope', 'orders:read\torders:write'],
    ['scope', 'orders:"read"'],
    ['act', 'gateway'],
    ['act', ['gateway']],
    ['act', {}],
    ['act', { sub: '' }],
    ['act', { sub: 7 }],
    ['act', null],
  ] as [string, unknown][])('refuses %s = %j', async (claim, value) => {
    await expect(failureOf({ claims: { [claim]: value } })).resolves.toMatchObject({
      code: 'claim_invalid',
      claim,
    });
  });
});
