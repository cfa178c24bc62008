// The verified-token cache: what it serves, how long, how much it holds, and when it forgets everything.
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '../src/index.js';
import type { TokenVerifier, VerifiedToken } from '../src/index.js';
import { VerifiedTokenCache } from '../src/verified-token-cache.js';
import { startCountingServer } from './helpers/jwks-server.js';
import type { CountingServer } from './helpers/jwks-server.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  createClock,
  generateSigningKey,
  mint,
  rejectionOf,
  verifierFor,
} from './helpers/tokens.js';
import type { SigningKey, TestClock } from './helpers/tokens.js';

let keyA: SigningKey;
let keyB: SigningKey;
let keyC: SigningKey;

beforeAll(async () => {
  [keyA, keyB, keyC] = await Promise.all([
    generateSigningKey('ES256', 'key-a'),
    generateSigningKey('ES256', 'key-b'),
    generateSigningKey('ES256', 'key-c'),
  ]);
});

function cachedVerifier(
  clock: TestClock,
  cache = { maxEntries: 100, maxTtlSeconds: 3600 },
  extra = {},
): TokenVerifier {
  return verifierFor([keyA, keyB], { cache, now: clock.now, ...extra });
}

describe('VerifiedTokenCache', () => {
  const token = { sub: 'user-1' } as unknown as VerifiedToken;

  it('keys entries by a SHA-256 digest of the whole token', () => {
    expect(VerifiedTokenCache.keyOf('a.b.c')).toBe(createHash('sha256').update('a.b.c').digest('base64'));
    // Tokens that share a long prefix still get unrelated keys.
    const prefix = 'x'.repeat(4096);
    expect(VerifiedTokenCache.keyOf(`${prefix}1`)).not.toBe(VerifiedTokenCache.keyOf(`${prefix}2`));
  });

  it('never holds more than maxEntries, evicting the least recently used', () => {
    const cache = new VerifiedTokenCache(3, 60);
    for (let index = 0; index < 1000; index += 1) {
      cache.set(`k${index}`, token, 0, 60_000);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.get('k999', 0)).toBe(token);
    expect(cache.get('k996', 0)).toBeUndefined();
  });

  it('moves an entry to the back on every hit', () => {
    const cache = new VerifiedTokenCache(2, 60);
    cache.set('a', token, 0, 60_000);
    cache.set('b', token, 0, 60_000);
    expect(cache.get('a', 0)).toBe(token);
    cache.set('c', token, 0, 60_000);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe(token);
  });

  it('serves an entry until the earlier of notAfter and the TTL, and drops it after', () => {
    const cache = new VerifiedTokenCache(10, 60);
    cache.set('short', token, 0, 10_000);
    cache.set('long', token, 0, 600_000);
    expect(cache.get('short', 9_999)).toBe(token);
    expect(cache.get('short', 10_000)).toBeUndefined();
    expect(cache.get('long', 59_999)).toBe(token);
    expect(cache.get('long', 60_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops an entry when the clock steps back past the moment it was stored', () => {
    const cache = new VerifiedTokenCache(10, 60);
    cache.set('k', token, 100_000, 600_000);
    expect(cache.get('k', 100_000)).toBe(token);
    expect(cache.get('k', 99_999)).toBeUndefined();
  });

  it('does not store what is already past its bound', () => {
    const cache = new VerifiedTokenCache(10, 60);
    cache.set('gone', token, 5_000, 5_000);
    expect(cache.size).toBe(0);
  });
});

describe('a verifier with a cache', () => {
  it('serves the same frozen result for the same token, and a separate one for another token', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock);
    const token = mint(keyA);
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    expect(await verifier.verify(mint(keyA, { claims: { jti: 'token-2' } }))).not.toBe(first);
  });

  it('never serves an entry past the token exp (clock frozen, tolerance 5 s)', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock);
    const token = mint(keyA, { claims: { exp: NOW + 60 } });
    const first = await verifier.verify(token);
    clock.advanceSeconds(59);
    expect(await verifier.verify(token)).toBe(first);
    clock.advanceSeconds(1);
    // At exp the entry is gone; the full check still accepts within the tolerance, as a new result.
    const second = await verifier.verify(token);
    expect(second).not.toBe(first);
    clock.advanceSeconds(5);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('never serves an entry past maxTtlSeconds', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock, { maxEntries: 10, maxTtlSeconds: 10 });
    const token = mint(keyA, { claims: { exp: NOW + 3600 } });
    const first = await verifier.verify(token);
    clock.advanceSeconds(9);
    expect(await verifier.verify(token)).toBe(first);
    clock.advanceSeconds(1);
    expect(await verifier.verify(token)).not.toBe(first);
  });

  it('never serves an entry past iat + maxTokenAgeSeconds', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock, undefined, { maxTokenAgeSeconds: 30, clockToleranceSeconds: 0 });
    const token = mint(keyA, { claims: { exp: NOW + 3600 } });
    const first = await verifier.verify(token);
    clock.advanceSeconds(29);
    expect(await verifier.verify(token)).toBe(first);
    clock.advanceSeconds(2);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired', claim: 'iat' });
  });

  it('holds at most maxEntries tokens, evicting the least recently used', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock, { maxEntries: 2, maxTtlSeconds: 3600 });
    const [a, b, c] = ['a', 'b', 'c'].map((jti) => mint(keyA, { claims: { jti } }));
    const first = { a: await verifier.verify(a ?? ''), b: await verifier.verify(b ?? '') };
    expect(await verifier.verify(a ?? '')).toBe(first.a);
    await verifier.verify(c ?? '');
    expect(await verifier.verify(a ?? '')).toBe(first.a);
    expect(await verifier.verify(b ?? '')).not.toBe(first.b);
  });

  it('never caches a failure: a token refused for nbf is accepted once nbf arrives', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock);
    const token = mint(keyA, { claims: { nbf: NOW + 60, exp: NOW + 600 } });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_not_yet_valid' });
    clock.advanceSeconds(60);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses a tampered copy of a cached token', async () => {
    const clock = createClock();
    const verifier = cachedVerifier(clock);
    const token = mint(keyA);
    await verifier.verify(token);
    const [header = '', , signature = ''] = token.split('.');
    const forged = `${header}.${mint(keyA, { claims: { sub: 'admin' } }).split('.')[1] ?? ''}.${signature}`;
    const error = await rejectionOf(verifier.verify(forged));
    expect(error).toMatchObject({ code: 'signature_invalid' });
    await expect(verifier.verify(`${token} `)).rejects.toMatchObject({ code: 'token_malformed' });
  });
});

describe('a cache in front of a remote key set', () => {
  let server: CountingServer;

  afterEach(async () => {
    await server.close();
  });

  async function remoteCachedVerifier(clock: TestClock): Promise<TokenVerifier> {
    server = await startCountingServer();
    server.serveJson({ keys: [keyA.jwk, keyB.jwk] });
    return createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: server.url,
      jwksCooldownSeconds: 30,
      jwksCacheMaxAgeSeconds: 300,
      cache: { maxEntries: 100, maxTtlSeconds: 3600 },
      now: clock.now,
    });
  }

  it('is flushed when a key is withdrawn: a cached token under that key is refused after the refresh', async () => {
    const clock = createClock();
    const verifier = await remoteCachedVerifier(clock);
    const underA = mint(keyA, { claims: { exp: NOW + 3600 } });
    const underB = mint(keyB, { claims: { exp: NOW + 3600 } });
    const cachedB = await verifier.verify(underB);
    expect(await verifier.verify(underA)).toBe(await verifier.verify(underA));

    server.serveJson({ keys: [keyB.jwk] });
    clock.advanceSeconds(299);
    // Within the set's max age, the withdrawal is not known yet: this is the documented bound.
    await expect(verifier.verify(underA)).resolves.toBeDefined();
    clock.advanceSeconds(1);
    await expect(verifier.verify(underA)).rejects.toMatchObject({ code: 'key_not_found' });
    // Everything was flushed, including results under keys that stayed.
    expect(await verifier.verify(underB)).not.toBe(cachedB);
    expect(server.requests()).toBe(2);
  });

  it('is not flushed when a key is only added', async () => {
    const clock = createClock();
    const verifier = await remoteCachedVerifier(clock);
    const underA = mint(keyA, { claims: { exp: NOW + 3600 } });
    const first = await verifier.verify(underA);
    server.serveJson({ keys: [keyA.jwk, keyB.jwk, keyC.jwk] });
    clock.advanceSeconds(300);
    // Another token triggers the refresh; a hit is only ever served from a fresh set.
    await verifier.verify(mint(keyC, { claims: { iat: NOW + 300 } }));
    expect(await verifier.verify(underA)).toBe(first);
    expect(server.requests()).toBe(2);
  });

  it('serves nothing once the set is stale and cannot be refreshed', async () => {
    const clock = createClock();
    const verifier = await remoteCachedVerifier(clock);
    const underA = mint(keyA, { claims: { exp: NOW + 3600 } });
    await verifier.verify(underA);
    server.respondWith((_req, res) => res.writeHead(500).end());
    clock.advanceSeconds(300);
    await expect(verifier.verify(underA)).rejects.toMatchObject({ code: 'jwks_unavailable' });
  });

  it('does not cache a result verified while a key was being withdrawn', async () => {
    const clock = createClock();
    const verifier = await remoteCachedVerifier(clock);
    await verifier.verify(mint(keyA));
    // keyC is unknown, so verifying it refetches; that same refetch withdraws keyA.
    server.serveJson({ keys: [keyB.jwk, keyC.jwk] });
    clock.advanceSeconds(30);
    const underC = mint(keyC, { claims: { iat: NOW + 30 } });
    const first = await verifier.verify(underC);
    const second = await verifier.verify(underC);
    expect(second).not.toBe(first);
    expect(await verifier.verify(underC)).toBe(second);
  });
});
