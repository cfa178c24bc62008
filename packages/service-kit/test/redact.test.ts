import { describe, expect, it } from '@jest/globals';

import { isSensitiveKey, scrubLine, scrubRecord } from '../src/redact.js';

const b64url = (value: string): string => Buffer.from(value).toString('base64url');
const JWT = [b64url('{"alg":"ES256"}'), b64url('{"sub":"alice"}'), b64url('sig-sig-sig-sig-sig-sig')].join(
  '.',
);

describe('isSensitiveKey', () => {
  it.each([
    'authorization',
    'Authorization',
    'Proxy-Authorization',
    'cookie',
    'Set-Cookie',
    'set_cookie',
    'token',
    'access_token',
    'accessToken',
    'refresh_token',
    'id_token',
    'subject_token',
    'actor_token',
    'X-CSRF-Token',
    'client_assertion',
    'code_verifier',
    'secret',
    'client_secret',
    'password',
    'x-api-key',
    'privateKey',
    'credentials',
  ])('treats %s as sensitive', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    'token_type',
    'expires_in',
    'tokenEndpoint',
    'code',
    'requestId',
    'subject',
    'client',
    'caller',
    'kid',
  ])('keeps %s', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe('scrubRecord', () => {
  it('returns a copy and leaves the input alone', () => {
    const input = { nested: { password: 'p' } };
    const output = scrubRecord(input);
    expect(output).toEqual({ nested: { password: '[Redacted]' } });
    expect(input.nested.password).toBe('p');
  });

  it('bounds the work on huge records', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const output = JSON.stringify(scrubRecord({ huge }));
    expect(output).toContain('[Truncated]');
    expect(output.length).toBeLessThan(100_000);
  });
});

describe('scrubLine', () => {
  // Random JSON strings made of escapes, quotes, separators and a token: every scrubbed line must still parse,
  // and the token must never survive.
  it('keeps every line valid JSON and never lets a JWT through', () => {
    const pieces = [
      '\\',
      '"',
      '\n',
      '\t',
      '\u0007',
      '.',
      '-',
      '_',
      'a',
      'n',
      'u',
      '0',
      ' ',
      '=',
      '&',
      '?',
      'Bearer ',
      JWT,
    ];
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 2_000; round += 1) {
      let value = '';
      for (let i = 0; i < 12; i += 1) value += pieces[next() % pieces.length] ?? '';
      value += JWT;
      const line = JSON.stringify({ value });
      const scrubbed = scrubLine(line);
      expect(() => JSON.parse(scrubbed) as unknown).not.toThrow();
      expect(scrubbed).not.toContain(JWT);
    }
  });

  it('stays fast on hostile input (every pattern is linear)', () => {
    const size = 200_000;
    const hostile = [
      'a'.repeat(size),
      'a.'.repeat(size / 2),
      'eyJ'.repeat(size / 3),
      '\\\\'.repeat(size / 2) + 'eyJ.a.b',
      'Bearer '.repeat(size / 7),
      '?code='.repeat(size / 6),
      '-----BEGIN PRIVATE KEY-----'.repeat(size / 27),
      '.'.repeat(size),
    ];
    const started = performance.now();
    for (const value of hostile) scrubLine(JSON.stringify({ value }));
    // A quadratic pattern would take minutes on these; linear ones take milliseconds.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('leaves lines without credentials untouched', () => {
    const line = JSON.stringify({
      msg: 'GET /orders/42 200 in 3.1ms',
      host: 'orders.core.internal:3000',
      v: '1.2.3',
    });
    expect(scrubLine(line)).toBe(line);
  });
});
