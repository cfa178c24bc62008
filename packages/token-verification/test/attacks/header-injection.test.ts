// Attacks through header parameters: keys or key URLs supplied by the token, extensions, and hostile kids.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCountingServer } from '../helpers/jwks-server.js';
import type { CountingServer } from '../helpers/jwks-server.js';
import { generateSigningKey, mint, rejectionOf, verifierFor } from '../helpers/tokens.js';
import type { SigningKey } from '../helpers/tokens.js';

let es256: SigningKey;
let attacker: SigningKey;
let second: SigningKey;
let attackerServer: CountingServer;

beforeAll(async () => {
  [es256, attacker, second] = await Promise.all([
    generateSigningKey('ES256', 'es-1'),
    generateSigningKey('ES256', 'attacker'),
    generateSigningKey('ES256', 'es-2'),
  ]);
  attackerServer = await startCountingServer();
  attackerServer.serveJson({ keys: [attacker.jwk] });
});

afterAll(async () => {
  await attackerServer.close();
});

async function codeOf(token: string, keys = [es256]): Promise<unknown> {
  return ((await rejectionOf(verifierFor(keys).verify(token))) as { code?: unknown }).code;
}

describe('keys and key locations named by the token', () => {
  it('refuses an embedded jwk header, even one that matches the token signature', async () => {
    const token = mint(attacker, { header: { kid: undefined, jwk: attacker.jwk } });
    expect(await codeOf(token)).toBe('token_malformed');
  });

  it('refuses an embedded jwk header that copies the trusted key', async () => {
    expect(await codeOf(mint(es256, { header: { jwk: es256.jwk } }))).toBe('token_malformed');
  });

  it('refuses a jku header and never requests it', async () => {
    const token = mint(attacker, { header: { jku: attackerServer.url.href } });
    expect(await codeOf(token)).toBe('token_malformed');
    expect(attackerServer.requests()).toBe(0);
  });

  it('refuses an x5u header and never requests it', async () => {
    const token = mint(attacker, { header: { x5u: attackerServer.url.href } });
    expect(await codeOf(token)).toBe('token_malformed');
    expect(attackerServer.requests()).toBe(0);
  });

  it('refuses an x5c header', async () => {
    expect(await codeOf(mint(attacker, { header: { x5c: ['MIIB'] } }))).toBe('token_malformed');
  });
});

describe('extensions the verifier does not implement', () => {
  it.each([[['exp']], [['urn:example:unknown']], [[]], ['b64']])('refuses crit %p', async (crit) => {
    expect(await codeOf(mint(es256, { header: { crit, 'urn:example:unknown': true } }))).toBe(
      'token_malformed',
    );
  });

  it('refuses b64: false (RFC 7797 unencoded payload)', async () => {
    expect(await codeOf(mint(es256, { header: { b64: false, crit: ['b64'] } }))).toBe('token_malformed');
  });

  it('refuses b64: false even without crit', async () => {
    expect(await codeOf(mint(es256, { header: { b64: false } }))).toBe('token_malformed');
  });

  it('refuses a zip header', async () => {
    expect(await codeOf(mint(es256, { header: { zip: 'DEF' } }))).toBe('token_malformed');
  });
});

describe('kid injection: the kid is compared, never interpreted', () => {
  it.each([
    '../../etc/passwd',
    '/dev/null',
    "' OR 1=1--",
    '" OR ""="',
    '$(id)',
    '`id`',
    '; rm -rf /',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'es-1\u0000',
    'ES-1',
    ' es-1',
  ])('refuses kid %j as an unknown key', async (kid) => {
    expect(await codeOf(mint(es256, { header: { kid } }))).toBe('key_not_found');
  });

  it.each([
    { label: 'empty', kid: '' },
    { label: 'over 256 characters', kid: 'x'.repeat(257) },
    { label: 'a number', kid: 1 },
    { label: 'null', kid: null },
    { label: 'an object', kid: {} },
  ])('refuses a kid that is $label as malformed', async ({ kid }) => {
    expect(await codeOf(mint(es256, { header: { kid } }))).toBe('token_malformed');
  });
});

describe('key selection', () => {
  it('refuses a token signed by an unknown key', async () => {
    expect(await codeOf(mint(attacker))).toBe('key_not_found');
  });

  it('refuses a token without kid when the set holds several keys of its type', async () => {
    expect(await codeOf(mint(es256, { header: { kid: undefined } }), [es256, second])).toBe('key_not_found');
  });

  it('still selects by kid when the set holds several keys', async () => {
    await expect(verifierFor([es256, second]).verify(mint(second))).resolves.toMatchObject({
      header: { kid: 'es-2' },
    });
  });
});
