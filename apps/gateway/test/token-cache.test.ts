import { describe, expect, test } from '@jest/globals';
import { TokenCache, type Resolution } from '../src/phantom/token-cache.js';

function clock(start = 1_000_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const resolved = (expiresAt: number, subject = 'alice'): Resolution => ({
  kind: 'resolved',
  jwt: `jwt-of-${subject}`,
  subject,
  clientId: 'airlock-cli',
  expiresAt,
});

const options = { maxEntries: 3, maxTtlMs: 30_000, negativeTtlMs: 5_000, expirySkewMs: 5_000 };

describe('TokenCache', () => {
  test('a result lives at most maxTtl, even when the JWT lives longer', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, now: time.now });
    expect(cache.set('k', resolved(time.now() / 1000 + 300))).toBe(30_000);
    time.advance(29_999);
    expect(cache.get('k')).toBeDefined();
    time.advance(1);
    expect(cache.get('k')).toBeUndefined();
  });

  test('a result lives at most until the JWT expiry minus the skew', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, now: time.now });
    expect(cache.set('k', resolved(time.now() / 1000 + 10))).toBe(5_000);
    time.advance(4_999);
    expect(cache.get('k')).toBeDefined();
    time.advance(1);
    expect(cache.get('k')).toBeUndefined();
  });

  test('a JWT that expires within the skew is not cached at all', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, now: time.now });
    expect(cache.set('k', resolved(time.now() / 1000 + 5))).toBe(0);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('negative results live negativeTtl', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, now: time.now });
    expect(cache.set('k', { kind: 'refused', reason: 'inactive' })).toBe(5_000);
    time.advance(4_999);
    expect(cache.get('k')).toEqual({ kind: 'refused', reason: 'inactive' });
    time.advance(1);
    expect(cache.get('k')).toBeUndefined();
  });

  test('a negative TTL longer than the max TTL is refused at construction', () => {
    expect(() => new TokenCache({ ...options, negativeTtlMs: 60_000 })).toThrow(TypeError);
  });

  test.each([
    ['maxEntries', 0],
    ['maxTtlMs', -1],
    ['negativeTtlMs', 1.5],
    ['expirySkewMs', -1],
  ])('option %s = %p is a TypeError', (name, value) => {
    expect(() => new TokenCache({ ...options, [name]: value })).toThrow(TypeError);
  });

  test('memory is bounded: the least recently used entry goes first', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, now: time.now });
    const exp = time.now() / 1000 + 300;
    cache.set('a', resolved(exp, 'a'));
    cache.set('b', resolved(exp, 'b'));
    cache.set('c', resolved(exp, 'c'));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('d', resolved(exp, 'd'));
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.get('d')).toBeDefined();
  });

  test('a flood of distinct keys never grows the cache past its cap', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, maxEntries: 100, now: time.now });
    for (let index = 0; index < 10_000; index += 1)
      cache.set(`k${index}`, { kind: 'refused', reason: 'inactive' });
    expect(cache.size).toBe(100);
  });

  test('results never cross keys', () => {
    const time = clock();
    const cache = new TokenCache({ ...options, now: time.now });
    const exp = time.now() / 1000 + 300;
    cache.set('issuer\u0000orders\u0000hashA', resolved(exp, 'alice'));
    expect(cache.get('issuer\u0000image-processor\u0000hashA')).toBeUndefined();
    expect(cache.get('issuer\u0000orders\u0000hashB')).toBeUndefined();
    expect(cache.get('other\u0000orders\u0000hashA')).toBeUndefined();
  });
});
