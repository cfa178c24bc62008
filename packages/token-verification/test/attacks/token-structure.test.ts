// Attacks on the token's shape: segments, encoding, whitespace, size, JWE, and non-object JSON.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCountingServer } from '../helpers/jwks-server.js';
import type { CountingServer } from '../helpers/jwks-server.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  assemble,
  b64url,
  generateSigningKey,
  mint,
  rejectionOf,
  standardClaims,
  verifierFor,
} from '../helpers/tokens.js';
import type { SigningKey } from '../helpers/tokens.js';
import { createTokenVerifier } from '../../src/index.js';
import type { TokenVerifier } from '../../src/index.js';

const MAX_TOKEN_LENGTH = 8192;

let es256: SigningKey;
let jwksServer: CountingServer;
let remoteVerifier: TokenVerifier;

beforeAll(async () => {
  es256 = await generateSigningKey('ES256', 'es-1');
  jwksServer = await startCountingServer();
  jwksServer.serveJson({ keys: [es256.jwk] });
  remoteVerifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: jwksServer.url,
    now: () => NOW * 1000,
  });
});

afterAll(async () => {
  await jwksServer.close();
});

async function codeOf(token: unknown): Promise<unknown> {
  return ((await rejectionOf(verifierFor([es256]).verify(token as string))) as { code?: unknown }).code;
}

function signedPayload(payloadText: string): string {
  return mint(es256, { payloadText });
}

describe('segments and encoding', () => {
  it('refuses a five-part token (JWE compact serialization)', async () => {
    const jwe = `${b64url(JSON.stringify({ alg: 'RSA-OAEP', enc: 'A256GCM' }))}.a2V5.aXY.Y2lwaGVy.dGFn`;
    expect(await codeOf(jwe)).toBe('token_malformed');
  });

  it.each([1, 2, 4])('refuses a token with %i segments', async (count) => {
    const segments = mint(es256).split('.');
    const token = Array.from({ length: count }, (_, index) => segments[index % 3] ?? '').join('.');
    expect(await codeOf(token)).toBe('token_malformed');
  });

  it.each([
    ['leading space', (token: string) => ` ${token}`],
    ['trailing space', (token: string) => `${token} `],
    ['trailing newline', (token: string) => `${token}\n`],
    ['inner space', (token: string) => token.replace('.', '. ')],
    ['inner tab', (token: string) => token.replace('.', '\t.')],
    ['inner newline in the payload', (token: string) => token.replace(/\.(.{10})/, '.$1\n')],
    ['a NUL byte', (token: string) => `${token}\u0000`],
  ])('refuses whitespace and control characters: %s', async (_label, change) => {
    expect(await codeOf(change(mint(es256)))).toBe('token_malformed');
  });

  it.each([
    ['a standard base64 "+"', (token: string) => token.replace(/\.(.)/, '.+')],
    ['a standard base64 "/"', (token: string) => token.replace(/\.(.)/, './')],
    ['base64 padding', (token: string) => token.replace('.', '=.')],
    ['empty header segment', (token: string) => token.slice(token.indexOf('.'))],
    ['empty payload segment', (token: string) => token.replace(/\.[^.]+\./, '..')],
    ['empty header and payload', () => '..AAAA'],
  ])('refuses %s', async (_label, change) => {
    const token = change(mint(es256, { claims: { sub: 'a?b>c' } }));
    expect(await codeOf(token)).toBe('token_malformed');
  });

  it('refuses a header segment spelt non-canonically (unused bits set: same bytes, other text)', async () => {
    const [header = '', payload = '', signature = ''] = mint(es256).split('.');
    expect(header.length % 4).not.toBe(0);
    const respelt = header.slice(0, -1) + bump(header.at(-1) ?? 'A');
    expect(Buffer.from(respelt, 'base64url')).toEqual(Buffer.from(header, 'base64url'));
    expect(await codeOf(`${respelt}.${payload}.${signature}`)).toBe('token_malformed');
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"at+jwt"'],
    ['a number', '1'],
    ['null', 'null'],
    ['not JSON', '{alg:ES256}'],
  ])('refuses a header that is %s', async (_label, headerText) => {
    const token = `${b64url(headerText)}.${b64url(JSON.stringify(standardClaims()))}.AAAA`;
    expect(await codeOf(token)).toBe('token_malformed');
  });

  it('refuses a header that is not UTF-8', async () => {
    const header = Buffer.concat([
      Buffer.from('{"alg":"ES256","typ":"at+jwt","x":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    expect(await codeOf(`${b64url(header)}.${b64url('{}')}.AAAA`)).toBe('token_malformed');
  });

  it.each([null, undefined, 42, {}, ['a.b.c']])('refuses a non-string token (%p)', async (token) => {
    expect(await codeOf(token)).toBe('token_malformed');
  });
});

describe('payloads that are not a JSON object (signed, so only the claim checks can refuse them)', () => {
  it.each([
    ['an array', '[]'],
    ['an array of claims', JSON.stringify([standardClaims()])],
    ['a string', '"user-1"'],
    ['a number', '1750000000'],
    ['null', 'null'],
    ['true', 'true'],
    ['not JSON', 'sub=user-1'],
    ['JSON with trailing garbage', `${JSON.stringify(standardClaims())}x`],
  ])('refuses a payload that is %s', async (_label, payloadText) => {
    expect(await codeOf(signedPayload(payloadText))).toBe('token_malformed');
  });

  it('refuses a payload that is not UTF-8', async () => {
    const claims = Buffer.from(JSON.stringify(standardClaims({ name: 'X' })));
    claims[claims.indexOf('X')] = 0xff;
    expect(await codeOf(mint(es256, { payloadText: claims }))).toBe('token_malformed');
  });
});

describe('oversized tokens', () => {
  const oversized = (): string => {
    const token = mint(es256, { claims: { padding: 'x'.repeat(MAX_TOKEN_LENGTH) } });
    expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    return token;
  };

  it('refuses a token over 8 KiB', async () => {
    expect(await codeOf(oversized())).toBe('token_malformed');
  });

  it('refuses it before any key lookup: the remote key set is never fetched', async () => {
    const error = await rejectionOf(remoteVerifier.verify(oversized()));
    expect(error).toMatchObject({ code: 'token_malformed' });
    expect(jwksServer.requests()).toBe(0);
  });

  it('refuses a megabyte-sized token quickly', async () => {
    const started = performance.now();
    expect(await codeOf('a'.repeat(1024 * 1024))).toBe('token_malformed');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('accepts a token just under the limit', async () => {
    const base = mint(es256, { claims: { padding: '' } }).length;
    const padding = 'x'.repeat(Math.floor(((MAX_TOKEN_LENGTH - base) * 3) / 4) - 4);
    const token = mint(es256, { claims: { padding } });
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    await expect(verifierFor([es256]).verify(token)).resolves.toBeDefined();
  });
});

describe('every precheck refusal happens before any key lookup', () => {
  it.each([
    ['alg none', () => assemble({ alg: 'none', typ: 'at+jwt' }, JSON.stringify(standardClaims()), '')],
    ['HS256', () => mint(es256, { header: { alg: 'HS256' } })],
    ['jku', () => mint(es256, { header: { jku: 'http://127.0.0.1:9/jwks' } })],
    ['jwk', () => mint(es256, { header: { jwk: es256.jwk } })],
    ['crit', () => mint(es256, { header: { crit: ['exp'] } })],
    ['typ JWT', () => mint(es256, { header: { typ: 'JWT' } })],
    ['whitespace', () => ` ${mint(es256)}`],
    ['JWE', () => 'a.b.c.d.e'],
    ['stripped signature', () => mint(es256).replace(/[^.]+$/, '')],
    ['kid too long', () => mint(es256, { header: { kid: 'k'.repeat(300) } })],
  ])('%s: no JWKS request', async (_label, token) => {
    await rejectionOf(remoteVerifier.verify(token()));
    expect(jwksServer.requests()).toBe(0);
  });
});

function bump(character: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return alphabet[alphabet.indexOf(character) + 1] ?? 'B';
}
