// Attacks on the algorithm: "none", HMAC keyed with the public key, and keys used under a foreign algorithm.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK } from 'jose';
import {
  assemble,
  b64url,
  generateSigningKey,
  hs256,
  mint,
  rejectionOf,
  standardClaims,
  verifierFor,
} from '../helpers/tokens.js';
import type { SigningKey } from '../helpers/tokens.js';

let es256: SigningKey;
let rs256: SigningKey;
let ps256: SigningKey;

beforeAll(async () => {
  [es256, rs256, ps256] = await Promise.all([
    generateSigningKey('ES256', 'es-1'),
    generateSigningKey('RS256', 'rs-1'),
    generateSigningKey('PS256', 'ps-1'),
  ]);
});

describe('alg "none"', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s with an empty signature', async (alg) => {
    const token = assemble({ alg, typ: 'at+jwt', kid: 'es-1' }, JSON.stringify(standardClaims()), '');
    const error = await rejectionOf(verifierFor([es256]).verify(token));
    expect(error).toMatchObject({ code: 'alg_not_allowed' });
  });

  it.each(['none', 'NONE'])('refuses alg %s even with a valid-looking signature appended', async (alg) => {
    const real = mint(es256).split('.')[2] ?? '';
    const token = assemble({ alg, typ: 'at+jwt', kid: 'es-1' }, JSON.stringify(standardClaims()), real);
    await expect(rejectionOf(verifierFor([es256]).verify(token))).resolves.toMatchObject({
      code: 'alg_not_allowed',
    });
  });

  it.each([undefined, null, 256, '', ['ES256']])('refuses a missing or non-string alg (%p)', async (alg) => {
    const token = mint(es256, { header: { alg } });
    await expect(rejectionOf(verifierFor([es256]).verify(token))).resolves.toMatchObject({
      code: 'alg_not_allowed',
    });
  });

  it('refuses an allowed algorithm name in another casing (es256)', async () => {
    const token = mint(es256, { header: { alg: 'es256' } });
    await expect(rejectionOf(verifierFor([es256]).verify(token))).resolves.toMatchObject({
      code: 'alg_not_allowed',
    });
  });
});

describe('HS256 signed with the public key as the secret (key confusion)', () => {
  // The verifier pins both families the key set holds, so only the HS* refusal stands between the attacker
  // and an RSA or EC public key being used as an HMAC secret.
  const algorithms = ['ES256', 'RS256'] as const;

  it.each([
    [
      'the RSA public key as PEM',
      () => rs256.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      'rs-1',
    ],
    [
      'the RSA public key as PKCS#1 PEM',
      () => rs256.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      'rs-1',
    ],
    ['the RSA public key as JWK JSON', () => JSON.stringify(rs256.jwk), 'rs-1'],
    ['the RSA modulus', () => String(rs256.jwk.n), 'rs-1'],
    [
      'the EC public key as PEM',
      () => es256.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      'es-1',
    ],
    ['the EC public key as JWK JSON', () => JSON.stringify(es256.jwk), 'es-1'],
    ['the EC coordinates x.y', () => `${String(es256.jwk.x)}.${String(es256.jwk.y)}`, 'es-1'],
    [
      'the raw EC point',
      () =>
        Buffer.concat([
          Buffer.from([4]),
          Buffer.from(String(es256.jwk.x), 'base64url'),
          Buffer.from(String(es256.jwk.y), 'base64url'),
        ]),
      'es-1',
    ],
  ] as const)('refuses HS256 keyed with %s', async (_label, secret, kid) => {
    const token = hs256(secret(), { alg: 'HS256', typ: 'at+jwt', kid });
    const error = await rejectionOf(
      verifierFor([es256, rs256], { algorithms: [...algorithms] }).verify(token),
    );
    expect(error).toMatchObject({ code: 'alg_not_allowed' });
  });

  it('refuses HS256 keyed with the exported JWK even without a kid', async () => {
    const jwk = await exportJWK(rs256.publicKey);
    const token = hs256(JSON.stringify(jwk), { alg: 'HS256', typ: 'at+jwt' });
    const error = await rejectionOf(verifierFor([rs256], { algorithms: ['RS256'] }).verify(token));
    expect(error).toMatchObject({ code: 'alg_not_allowed' });
  });

  it.each(['HS384', 'HS512'])('refuses %s', async (alg) => {
    const token = hs256('secret', { alg, typ: 'at+jwt', kid: 'es-1' });
    await expect(rejectionOf(verifierFor([es256]).verify(token))).resolves.toMatchObject({
      code: 'alg_not_allowed',
    });
  });
});

describe('a key used under a foreign algorithm', () => {
  const pinsAll = { algorithms: ['ES256', 'RS256', 'PS256'] as ('ES256' | 'RS256' | 'PS256')[] };

  it('refuses an RS256 token that names the ES256 key', async () => {
    const token = mint(rs256, { header: { kid: 'es-1' } });
    const error = await rejectionOf(verifierFor([es256, rs256], pinsAll).verify(token));
    expect(error).toMatchObject({ code: 'key_not_found' });
  });

  it('refuses a PS256 token that names the ES256 key', async () => {
    const token = mint(ps256, { header: { kid: 'es-1' } });
    const error = await rejectionOf(verifierFor([es256, ps256], pinsAll).verify(token));
    expect(error).toMatchObject({ code: 'key_not_found' });
  });

  it('refuses a PS256 token that names an RS256-only key (the JWK pins its alg)', async () => {
    const token = mint(ps256, { header: { kid: 'rs-1' } });
    const error = await rejectionOf(verifierFor([rs256, ps256], pinsAll).verify(token));
    expect(error).toMatchObject({ code: 'key_not_found' });
  });

  it('refuses RS256 when only ES256 is pinned, before any key is looked at', async () => {
    const error = await rejectionOf(verifierFor([es256, rs256]).verify(mint(rs256)));
    expect(error).toMatchObject({ code: 'alg_not_allowed' });
  });

  it('refuses an ES256 signature relabelled ES384', async () => {
    const [header = '', payload = '', signature = ''] = mint(es256).split('.');
    const relabelled = {
      ...(JSON.parse(Buffer.from(header, 'base64url').toString()) as object),
      alg: 'ES384',
    };
    const token = `${b64url(JSON.stringify(relabelled))}.${payload}.${signature}`;
    const error = await rejectionOf(verifierFor([es256], { algorithms: ['ES256', 'ES384'] }).verify(token));
    expect(error).toMatchObject({ code: 'key_not_found' });
  });
});
