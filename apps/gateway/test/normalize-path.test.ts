import { describe, expect, test } from '@jest/globals';
import { normalizeTarget } from '../src/routing/normalize-path.js';

describe('normalizeTarget: accepted, canonical form', () => {
  test.each([
    ['/api/orders', '/api/orders', ''],
    ['/api/orders/42?expand=items', '/api/orders/42', '?expand=items'],
    ['/api//orders///42', '/api/orders/42', ''],
    ['//api/orders', '/api/orders', ''],
    ['/api/%6Frders/%41-%5F%7E', '/api/orders/A-_~', ''],
    ['/auth/.well-known/openid-configuration', '/auth/.well-known/openid-configuration', ''],
    ['/api/orders/a.b', '/api/orders/a.b', ''],
    ['/API/orders', '/API/orders', ''],
    ['/api/orders?', '/api/orders', '?'],
  ])('%s -> %s', (target, path, search) => {
    expect(normalizeTarget(target)).toEqual({ ok: true, target: { path, search } });
  });
});

describe('normalizeTarget: refused, never guessed', () => {
  test.each([
    ['encoded slash', '/api/orders%2f42'],
    ['encoded slash, upper case', '/api/orders%2F42'],
    ['encoded dot', '/api/%2e%2e/auth/jwks'],
    ['encoded dot, upper case', '/api/%2E/orders'],
    ['encoded backslash', '/api/orders%5c42'],
    ['double encoding', '/api/orders/%252e%252e'],
    ['encoded NUL', '/api/orders/%00'],
    ['encoded semicolon', '/api/orders%3bjsessionid=1'],
    ['encoded non-ASCII', '/api/orders/%C3%A9'],
    ['broken escape', '/api/orders/%G1'],
    ['truncated escape', '/api/orders/%4'],
    ['backslash', '/api\\orders'],
    ['dot segment', '/api/./orders'],
    ['dot-dot segment', '/api/images/../orders'],
    ['trailing dot-dot', '/api/orders/..'],
    ['dot-dot via duplicate slashes', '/api//..//orders'],
    ['path parameter', '/api/orders;jsessionid=1'],
    ['path parameter on a segment', '/api/orders/42;x'],
    ['NUL byte', '/api/orders\u0000'],
    ['control byte', '/api/orders\u0001'],
    ['tab', '/api/orders\t'],
    ['DEL', '/api/orders\u007f'],
    ['non-ASCII (latin1)', '/api/ord\u00e9rs'],
    ['fragment', '/api/orders#x'],
    ['quote', '/api/orders/"x"'],
    ['angle bracket', '/api/orders/<x>'],
    ['brace', '/api/orders/{x}'],
    ['absolute-form', 'http://127.0.0.1:8082/orders'],
    ['asterisk-form', '*'],
    ['empty', ''],
    ['query with control byte', '/api/orders?x=\u0001'],
    ['query with fragment', '/api/orders?x=1#frag'],
    ['query with non-ASCII', '/api/orders?x=\u00e9'],
    ['malformed query escape', '/api/orders?%E0%A4%A=1'],
  ])('%s: %j is 400 invalid_path', (_name, target) => {
    const result = normalizeTarget(target);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal).toMatchObject({ status: 400, code: 'invalid_path' });
  });

  test.each([
    '/api/orders?access_token=abc',
    '/api/orders?x=1&access_token=abc',
    '/api/orders?%61ccess_token=abc',
    '/api/orders?access%5Ftoken=abc',
    '/api/orders?ACCESS_TOKEN=abc',
    '/api/orders?access_token',
  ])('%s is 400 token_in_query', (target) => {
    const result = normalizeTarget(target);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal).toMatchObject({ status: 400, code: 'token_in_query' });
  });

  test('a target longer than the limit is 414, at the limit it is fine', () => {
    const atLimit = `/api/orders/${'a'.repeat(2048 - '/api/orders/'.length)}`;
    expect(atLimit.length).toBe(2048);
    expect(normalizeTarget(atLimit).ok).toBe(true);
    const result = normalizeTarget(`${atLimit}a`);
    expect(result).toEqual({
      ok: false,
      refusal: { status: 414, code: 'uri_too_long', reason: 'target_too_long' },
    });
  });

  test('a custom limit applies', () => {
    expect(normalizeTarget('/api/orders/123', 10)).toMatchObject({ ok: false, refusal: { status: 414 } });
  });

  test('every printable and control byte in a segment either yields a canonical path or a 4xx, never a throw', () => {
    for (let byte = 0; byte < 256; byte += 1) {
      for (const target of [
        `/api/orders/${String.fromCharCode(byte)}`,
        `/api/orders/%${byte.toString(16).padStart(2, '0')}`,
      ]) {
        const result = normalizeTarget(target);
        if (result.ok) {
          expect(result.target.path).toMatch(/^\/[A-Za-z0-9\-._~!$&'()*+,=:@/]*$/);
          expect(result.target.path.split('/')).not.toContain('..');
        } else {
          expect([400, 414]).toContain(result.refusal.status);
        }
      }
    }
  });
});
