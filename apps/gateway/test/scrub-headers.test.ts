import { describe, expect, test } from '@jest/globals';
import {
  clientResponseHeaders,
  upstreamRequestHeaders,
  type ForwardingHeaders,
} from '../src/proxy/scrub-headers.js';
import { JwtBodyScanner } from '../src/proxy/scan-body.js';

const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSIsImF1ZCI6Im9yZGVycyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';

const forwarding: ForwardingHeaders = {
  requestId: 'rid-1',
  clientIp: '192.0.2.7',
  proto: 'http',
  host: '127.0.0.1:8080',
  authorization: `Bearer ${JWT}`,
};

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let index = 0; index < flat.length; index += 2) out.push([flat[index] ?? '', flat[index + 1] ?? '']);
  return out;
}

function names(flat: readonly string[]): string[] {
  return pairs(flat).map(([name]) => name.toLowerCase());
}

const hostile = [
  ['Host', 'evil.example'],
  ['Authorization', 'Bearer opaque-client-token'],
  ['Authorization', 'Basic c2VjcmV0'],
  ['Proxy-Authorization', 'Basic eA=='],
  ['Cookie', 'session=abc'],
  ['X-User-Id', 'admin'],
  ['X-User', 'admin'],
  ['X-Forwarded-For', '10.0.0.1'],
  ['X-Forwarded-Host', 'evil.example'],
  ['X-Forwarded-Proto', 'https'],
  ['Forwarded', 'for=10.0.0.1'],
  ['X-Real-IP', '10.0.0.1'],
  ['X-Request-Id', 'attacker-chosen'],
  ['X-Auth-Subject', 'carol'],
  ['X-Authenticated-User', 'carol'],
  ['X-Internal-Caller', 'orders'],
  ['X-Original-URL', '/admin/orders'],
  ['X-Rewrite-URL', '/admin/orders'],
  ['X-HTTP-Method-Override', 'DELETE'],
  ['X-Remote-User', 'carol'],
  ['Remote-User', 'carol'],
  ['True-Client-IP', '10.0.0.1'],
  ['Connection', 'keep-alive, X-Drop-Me'],
  ['X-Drop-Me', '1'],
  ['Keep-Alive', 'timeout=5'],
  ['TE', 'trailers'],
  ['Upgrade', 'websocket'],
  ['Transfer-Encoding', 'chunked'],
  ['Expect', '100-continue'],
  ['Accept', 'application/json'],
  ['Content-Type', 'application/json'],
  ['Content-Length', '12'],
  ['User-Agent', 'test'],
  ['Idempotency-Key', 'k-1'],
].flat();

describe('requests to internal services (user routes): allowlist', () => {
  const out = upstreamRequestHeaders(hostile, 'user', forwarding);

  test('keeps representation headers only', () => {
    expect(
      names(out).filter(
        (name) =>
          ![
            'authorization',
            'x-request-id',
            'x-forwarded-for',
            'x-forwarded-proto',
            'x-forwarded-host',
          ].includes(name),
      ),
    ).toEqual(['accept', 'content-type', 'content-length', 'user-agent', 'idempotency-key']);
  });

  test('sets exactly one Authorization: the JWT, never the client token', () => {
    const auth = pairs(out).filter(([name]) => name.toLowerCase() === 'authorization');
    expect(auth).toEqual([['authorization', `Bearer ${JWT}`]]);
    expect(out.join('\n')).not.toContain('opaque-client-token');
  });

  test('sets its own request id and forwarding headers, never the client values', () => {
    const map = new Map(pairs(out).map(([name, value]) => [name.toLowerCase(), value]));
    expect(map.get('x-request-id')).toBe('rid-1');
    expect(map.get('x-forwarded-for')).toBe('192.0.2.7');
    expect(map.get('x-forwarded-proto')).toBe('http');
    expect(map.get('x-forwarded-host')).toBe('127.0.0.1:8080');
    expect(
      names(out).filter((name) => name === 'x-request-id' || name.startsWith('x-forwarded-')),
    ).toHaveLength(4);
  });

  test('no cookie goes to an internal service', () => {
    expect(names(out)).not.toContain('cookie');
  });
});

describe('requests to auth (public routes): blocklist', () => {
  const out = upstreamRequestHeaders(hostile, 'public', { ...forwarding, authorization: undefined });
  const kept = names(out);

  test('cookies and the client Authorization (client_secret_basic) reach auth', () => {
    expect(kept).toContain('cookie');
    expect(pairs(out).filter(([name]) => name === 'Authorization')).toHaveLength(2);
  });

  test.each([
    'host',
    'proxy-authorization',
    'x-user-id',
    'x-user',
    'forwarded',
    'x-real-ip',
    'x-auth-subject',
    'x-authenticated-user',
    'x-internal-caller',
    'x-original-url',
    'x-rewrite-url',
    'x-http-method-override',
    'x-remote-user',
    'remote-user',
    'true-client-ip',
    'x-drop-me',
    'connection',
    'keep-alive',
    'te',
    'upgrade',
    'transfer-encoding',
    'expect',
  ])('%s is removed', (name) => {
    expect(kept).not.toContain(name);
  });

  test('forwarding headers and the request id are the gateway’s only', () => {
    const map = pairs(out).filter(
      ([name]) => name.toLowerCase().startsWith('x-forwarded-') || name.toLowerCase() === 'x-request-id',
    );
    expect(map).toEqual([
      ['x-request-id', 'rid-1'],
      ['x-forwarded-for', '192.0.2.7'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', '127.0.0.1:8080'],
    ]);
  });
});

describe('responses', () => {
  const upstream = {
    'content-type': 'application/json',
    'content-length': '10',
    server: 'Express',
    'x-powered-by': 'Express',
    via: '1.1 orders',
    authorization: `Bearer ${JWT}`,
    'x-echo-authorization': `Bearer ${JWT}`,
    'www-authenticate':
      'Bearer error="invalid_token", error_description="aud must be orders, issuer http://auth:8081"',
    'set-cookie': ['a=1', 'b=2'],
    'access-control-allow-origin': '*',
    'x-internal-trace': 'orders-7f9c',
    connection: 'x-hop',
    'x-hop': '1',
    etag: '"abc"',
    location: '/orders/42',
    'cache-control': 'public, max-age=3600',
  };

  test('user routes: only representation headers, Location mapped to the public path, challenge replaced', () => {
    const out = clientResponseHeaders(upstream, {
      kind: 'user',
      status: 401,
      publicLocation: (location) => `/api${location}`,
    });
    expect(pairs(out)).toEqual([
      ['content-type', 'application/json'],
      ['content-length', '10'],
      ['etag', '"abc"'],
      ['location', '/api/orders/42'],
      ['www-authenticate', 'Bearer error="invalid_token"'],
    ]);
  });

  test('user routes: an unmappable Location is dropped', () => {
    const out = clientResponseHeaders(
      { location: 'http://orders:8082/orders/1' },
      {
        kind: 'user',
        status: 201,
        publicLocation: () => undefined,
      },
    );
    expect(out).toEqual([]);
  });

  test('auth routes: Set-Cookie, Location and challenges pass; server details, CORS and JWTs do not', () => {
    const out = clientResponseHeaders(upstream, {
      kind: 'public',
      status: 200,
      publicLocation: () => undefined,
    });
    const kept = names(out);
    expect(kept).toEqual(
      expect.arrayContaining([
        'content-type',
        'set-cookie',
        'location',
        'www-authenticate',
        'etag',
        'cache-control',
      ]),
    );
    for (const name of [
      'server',
      'x-powered-by',
      'via',
      'authorization',
      'x-echo-authorization',
      'access-control-allow-origin',
      'x-internal-trace',
      'x-hop',
      'connection',
    ]) {
      expect(kept).not.toContain(name);
    }
    expect(pairs(out).filter(([name]) => name === 'set-cookie')).toHaveLength(2);
    expect(out.join('\n')).not.toContain('eyJ');
  });

  test('a JWT in any header value is dropped, whatever the header', () => {
    const out = clientResponseHeaders(
      { location: `/orders/1?t=${JWT}` },
      {
        kind: 'user',
        status: 302,
        publicLocation: (location) => `/api${location}`,
      },
    );
    expect(out).toEqual([]);
  });
});

describe('JwtBodyScanner', () => {
  test('finds a JWT in one chunk', () => {
    expect(new JwtBodyScanner().push(Buffer.from(`{"token":"${JWT}"}`))).toBe(true);
  });

  test('finds a JWT split across chunks at every position', () => {
    const body = Buffer.from(`{"echo":"Bearer ${JWT}"}`);
    for (let cut = 1; cut < body.length; cut += 1) {
      const scanner = new JwtBodyScanner();
      const first = scanner.push(body.subarray(0, cut));
      const second = first || scanner.push(body.subarray(cut));
      expect(second).toBe(true);
    }
  });

  test('finds a JWT delivered one byte at a time', () => {
    const scanner = new JwtBodyScanner();
    const body = Buffer.from(`xx ${JWT} yy`);
    let found = false;
    for (const byte of body) found ||= scanner.push(Buffer.from([byte]));
    expect(found).toBe(true);
  });

  test.each([
    '{"id":"42","items":[{"sku":"eyJ"}]}',
    'eyJ is how JSON starts in base64',
    '{"note":"eyJhbGciOiJFUzI1NiJ9 without a payload"}',
    'a.b.c and eyJ.x.y',
  ])('ordinary text is not a JWT: %s', (text) => {
    expect(new JwtBodyScanner().push(Buffer.from(text))).toBe(false);
  });
});
