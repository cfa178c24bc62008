import { describe, expect, test } from '@jest/globals';
import { CorsPolicy } from '../src/edge/cors.js';
import { RateLimiter } from '../src/edge/rate-limit.js';
import { readBearerToken } from '../src/edge/read-bearer-token.js';
import { securityHeaders } from '../src/edge/security-headers.js';

const TOKEN = 'q3Zr8m1V0cQ7aW2nX4pL6sT9uY5bE0dF3gH6jK8mN1o';

describe('readBearerToken', () => {
  const read = (
    value: string | undefined,
    raw: string[] = value === undefined ? [] : ['Authorization', value],
  ) => readBearerToken(raw, value);

  test('one well-formed opaque token', () => {
    expect(read(`Bearer ${TOKEN}`)).toEqual({ kind: 'token', token: TOKEN });
    expect(read(`bearer ${TOKEN}`)).toEqual({ kind: 'token', token: TOKEN });
  });

  test('missing', () => {
    expect(read(undefined)).toEqual({ kind: 'missing' });
  });

  test('two Authorization headers, whatever their case, are refused even though node joins them', () => {
    expect(
      readBearerToken(
        ['Authorization', `Bearer ${TOKEN}`, 'authorization', 'Bearer other'],
        `Bearer ${TOKEN}, Bearer other`,
      ),
    ).toEqual({
      kind: 'duplicate',
    });
  });

  test.each([
    ['another scheme', `Basic ${TOKEN}`],
    ['no token', 'Bearer'],
    ['empty token', 'Bearer '],
    ['not token68', 'Bearer abc def'],
    ['comma', 'Bearer abc,def'],
    ['quotes', 'Bearer "abc"'],
    ['padding in the middle', 'Bearer ab=cd'],
    ['scheme only, different case', 'BEARERabc'],
  ])('malformed: %s', (_name, value) => {
    expect(read(value)).toEqual({ kind: 'malformed' });
  });

  test('a JWT presented by a client is refused as such', () => {
    expect(read('Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toEqual({ kind: 'jwt_presented' });
  });

  test('a token over the limit is too large, before any other work', () => {
    expect(read(`Bearer ${'a'.repeat(513)}`)).toEqual({ kind: 'too_large' });
    expect(read(`Bearer ${'a'.repeat(512)}`)).toEqual({ kind: 'token', token: 'a'.repeat(512) });
    expect(read(`Bearer ${'a'.repeat(100_000)}`)).toEqual({ kind: 'too_large' });
  });
});

describe('RateLimiter', () => {
  test('allows the burst, then refuses with Retry-After, then refills', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, maxKeys: 10, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('ip').allowed)).toEqual([true, true, true]);
    expect(limiter.take('ip')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500;
    expect(limiter.take('ip').allowed).toBe(true);
    expect(limiter.take('ip').allowed).toBe(false);
    expect(limiter.take('other').allowed).toBe(true);
  });

  test('Retry-After is a whole number of seconds, rounded up', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 0.2, burst: 1, maxKeys: 10, now: () => now });
    limiter.take('k');
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now += 1;
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 5 });
  });

  test('memory is bounded', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 100 });
    for (let index = 0; index < 10_000; index += 1) limiter.take(`k${index}`);
    expect(limiter.size).toBe(100);
  });

  test.each([
    [{ ratePerSecond: 0, burst: 1, maxKeys: 1 }],
    [{ ratePerSecond: 1, burst: 0, maxKeys: 1 }],
    [{ ratePerSecond: 1, burst: 1, maxKeys: 0 }],
  ])('bad options are a TypeError: %j', (options) => {
    expect(() => new RateLimiter(options)).toThrow(TypeError);
  });
});

describe('CorsPolicy', () => {
  test('is off by default', () => {
    expect(new CorsPolicy([]).enabled).toBe(false);
    expect(new CorsPolicy([]).isAllowed('http://127.0.0.1:8080')).toBe(false);
  });

  test('allows exact origins only', () => {
    const cors = new CorsPolicy(['https://app.example']);
    expect(cors.isAllowed('https://app.example')).toBe(true);
    expect(cors.isAllowed('https://app.example.evil')).toBe(false);
    expect(cors.isAllowed('http://app.example')).toBe(false);
    expect(cors.isAllowed('null')).toBe(false);
    expect(cors.isAllowed(undefined)).toBe(false);
  });

  test.each(['*', 'null', 'https://app.example/', 'https://app.example/path', 'ftp://x.example'])(
    'refuses %s as an allowlist entry',
    (origin) => {
      expect(() => new CorsPolicy([origin])).toThrow(TypeError);
    },
  );

  test('preflight: only the headers the API reads', () => {
    const cors = new CorsPolicy(['https://app.example']);
    expect(
      cors.preflightHeaders('https://app.example', ['GET'], 'authorization, content-type'),
    ).toBeDefined();
    expect(cors.preflightHeaders('https://app.example', ['GET'], 'x-user-id')).toBeUndefined();
  });
});

describe('securityHeaders', () => {
  test('HSTS only over https', () => {
    expect(securityHeaders({ https: false }).api).not.toContain('strict-transport-security');
    expect(securityHeaders({ https: true }).api).toContain('strict-transport-security');
    expect(securityHeaders({ https: true }).auth).toContain('strict-transport-security');
  });

  test('API answers are not cached, sniffed or framed', () => {
    const api = securityHeaders({ https: false }).api;
    expect(api).toEqual(
      expect.arrayContaining([
        'cache-control',
        'no-store',
        'x-content-type-options',
        'nosniff',
        'x-frame-options',
        'DENY',
        'referrer-policy',
        'no-referrer',
      ]),
    );
  });
});
