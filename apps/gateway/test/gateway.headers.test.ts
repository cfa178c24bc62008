// What crosses the gateway: hostile inbound headers never reach a service, internal details and JWTs never
// reach a client, every answer carries the security headers and a request id, CORS only for the web client.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { rawRequest } from './support/raw-http.js';
import { startStubAuth, tokenFor, type StubAuth } from './support/stub-auth.js';
import { CLOSED_ORIGIN, startTestGateway, type TestGateway } from './support/start-gateway.js';
import { echoHandler, startStub, whoamiHandler, type StubServer } from './support/stub-server.js';

let auth: StubAuth;
const agent = new Agent();
const WEB_ORIGIN = 'https://app.example';
const alice = { authorization: `Bearer ${tokenFor('alice')}` };

beforeAll(async () => {
  auth = await startStubAuth();
});
afterAll(async () => {
  await agent.close();
  await auth.close();
});

async function withUpstream<T>(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  run: (gateway: TestGateway, upstream: StubServer) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const upstream = await startStub(handler);
  const gateway = await startTestGateway({ authUrl: auth.url, ordersUrl: upstream.url, env });
  try {
    return await run(gateway, upstream);
  } finally {
    await gateway.close();
    await upstream.close();
  }
}

async function get(
  base: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  method = 'GET',
) {
  const res = await request(`${base}${path}`, { method, headers, dispatcher: agent });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['strict-transport-security']).toBeUndefined();
  expect(headers['x-powered-by']).toBeUndefined();
  expect(headers.server).toBeUndefined();
  expect(typeof headers['x-request-id']).toBe('string');
}

describe('inbound headers', () => {
  test('identity, forwarding, override and cookie headers never reach a service', async () => {
    await withUpstream(whoamiHandler, async (gateway, upstream) => {
      const res = await get(gateway.url, '/api/orders', {
        ...alice,
        'x-user-id': 'carol',
        'x-user-roles': 'admin',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=10.0.0.1;proto=https',
        'x-real-ip': '10.0.0.1',
        'x-request-id': 'attacker-chosen',
        'x-auth-request-user': 'carol',
        'x-internal-token': 'x',
        'x-original-url': '/admin/orders',
        'x-http-method-override': 'POST',
        cookie: 'session=stolen',
        'proxy-authorization': 'Basic eDp5',
      });
      expect(res.status).toBe(200);
      const received = upstream.received.at(-1);
      const names = Object.keys(received?.headers ?? {});
      for (const name of [
        'x-user-id',
        'x-user-roles',
        'forwarded',
        'x-real-ip',
        'x-auth-request-user',
        'x-internal-token',
        'x-original-url',
        'x-http-method-override',
        'cookie',
        'proxy-authorization',
      ]) {
        expect(names).not.toContain(name);
      }
      expect(received?.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(received?.headers['x-forwarded-host']).toBe('127.0.0.1:8080');
      expect(received?.headers['x-forwarded-proto']).toBe('http');
      expect(received?.headers['x-request-id']).toBe(res.headers['x-request-id']);
      expect(received?.headers['x-request-id']).not.toBe('attacker-chosen');
      expect(received?.headers.host).toBe(new URL(upstream.url).host);
      expect(JSON.stringify(received)).not.toContain(tokenFor('alice'));
    });
  });

  test('Connection-listed headers are removed (RFC 9110 §7.6.1)', async () => {
    await withUpstream(whoamiHandler, async (gateway, upstream) => {
      const { host } = new URL(gateway.url);
      const res = await rawRequest(
        gateway.url,
        [
          'GET /api/orders HTTP/1.1',
          `Host: ${host}`,
          `Authorization: Bearer ${tokenFor('alice')}`,
          'Connection: close, X-Smuggle',
          'X-Smuggle: 1',
          'Accept: application/json',
          '',
          '',
        ].join('\r\n'),
      );
      expect(res.status).toBe(200);
      const received = upstream.received.at(-1);
      expect(received?.headers['x-smuggle']).toBeUndefined();
      expect(received?.headers.accept).toBe('application/json');
    });
  });
});

describe('outbound: nothing internal reaches a client', () => {
  test('an upstream echoing request headers into its body (the JWT) is refused with 502, not relayed', async () => {
    await withUpstream(echoHandler, async (gateway) => {
      const res = await get(gateway.url, '/api/orders', alice);
      expect(res.status).toBe(502);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'upstream_response_rejected' } });
      expect(res.text).not.toContain('eyJ');
    });
  });

  test('an upstream echoing the JWT into a response header: the header is dropped', async () => {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      res.setHeader('x-echo-authorization', req.headers.authorization ?? '');
      res.setHeader('authorization', req.headers.authorization ?? '');
      res.setHeader('x-powered-by', 'Express');
      res.setHeader('server', 'orders/1.0 node/24');
      res.setHeader('via', '1.1 orders.core.internal');
      res.setHeader('x-internal-upstream', 'orders:8082');
      res.setHeader('set-cookie', 'internal=1');
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    };
    await withUpstream(handler, async (gateway) => {
      const res = await get(gateway.url, '/api/orders', alice);
      expect(res.status).toBe(200);
      expect(res.text).toBe('{"ok":true}');
      expect(JSON.stringify(res.headers)).not.toContain('eyJ');
      for (const name of [
        'x-echo-authorization',
        'authorization',
        'x-powered-by',
        'server',
        'via',
        'x-internal-upstream',
        'set-cookie',
        'access-control-allow-origin',
      ]) {
        expect(res.headers[name]).toBeUndefined();
      }
      expectSecurityHeaders(res.headers);
    });
  });

  test('a JWT split across body chunks is caught too (the connection is cut)', async () => {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const token = (req.headers.authorization ?? '').slice('Bearer '.length);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"padding":"${'p'.repeat(100)}","t":"${token.slice(0, 20)}`);
      setTimeout(() => res.end(`${token.slice(20)}"}`), 20);
    };
    await withUpstream(handler, async (gateway) => {
      const outcome = await get(gateway.url, '/api/orders', alice).then(
        (res) => ({ status: res.status, text: res.text }),
        (error: unknown) => ({ error }),
      );
      // Either the gateway still could answer 502 (nothing sent yet) or it cut the connection: never the JWT.
      if ('text' in outcome) {
        expect(outcome.status).toBe(502);
        expect(outcome.text).not.toContain('eyJ');
      } else {
        expect(outcome.error).toBeInstanceOf(Error);
      }
    });
  });

  test('an upstream 401 challenge with internal details is replaced by the gateway’s own', async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(401, {
        'www-authenticate':
          'Bearer error="invalid_token", error_description="aud mismatch; issuer http://auth:8081"',
        'content-type': 'application/json',
      });
      res.end('{"error":{"code":"unauthorized","message":"Authentication is required."}}');
    };
    await withUpstream(handler, async (gateway) => {
      const res = await get(gateway.url, '/api/orders', alice);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });
  });

  test('a Location naming an upstream path is mapped to its public path; others are dropped', async () => {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(201, {
        location: req.url === '/orders' ? '/orders/9' : 'http://orders.internal:8082/orders/9',
      });
      res.end();
    };
    await withUpstream(handler, async (gateway) => {
      const created = await get(gateway.url, '/api/orders', alice, 'POST');
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe('/api/orders/9');
      const other = await get(gateway.url, '/api/orders/1', alice);
      expect(other.headers.location).toBeUndefined();
    });
  });
});

describe('informational answers', () => {
  const earlyHints = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeEarlyHints({ link: '</internal.css>; rel=preload; as=style' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };

  test.each([
    ['a user route', '/api/orders', 'orders'],
    ['a public (auth) route', '/auth/jwks', 'auth'],
  ])(
    'an upstream 103 Early Hints on %s is not relayed; the final answer is',
    async (_name, path, service) => {
      const upstream = await startStub(earlyHints);
      const gateway = await startTestGateway(
        service === 'auth' ? { authUrl: upstream.url } : { authUrl: auth.url, ordersUrl: upstream.url },
      );
      try {
        const { host } = new URL(gateway.url);
        const res = await rawRequest(
          gateway.url,
          `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${tokenFor('alice')}\r\nConnection: close\r\n\r\n`,
        );
        expect(res.status).toBe(200);
        // The status line of an interim answer, not the digits (a random request id may contain "103").
        expect(res.rawHead).not.toContain('HTTP/1.1 103');
        expect(res.rawHead.toLowerCase()).not.toContain('internal.css');
      } finally {
        await gateway.close();
        await upstream.close();
      }
    },
  );
});

describe('upstream failures are generic', () => {
  test('service down: 503 upstream_unavailable, no address or error code', async () => {
    const gateway = await startTestGateway({ authUrl: auth.url, ordersUrl: CLOSED_ORIGIN });
    try {
      const res = await get(gateway.url, '/api/orders', alice);
      expect(res.status).toBe(503);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'upstream_unavailable' } });
      expect(res.text).not.toMatch(/127\.0\.0\.1|:9|ECONNREFUSED|UND_ERR/);
      expectSecurityHeaders(res.headers);
    } finally {
      await gateway.close();
    }
  });

  test('service too slow: 504 upstream_timeout', async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse): void => {
      setTimeout(() => res.end('late'), 1_000);
    };
    await withUpstream(
      handler,
      async (gateway) => {
        const res = await get(gateway.url, '/api/orders', alice);
        expect(res.status).toBe(504);
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'upstream_timeout' } });
      },
      { AIRLOCK_GATEWAY_UPSTREAM_TIMEOUT_MS: '200' },
    );
  });

  test('service resets the connection: 502 bad_gateway', async () => {
    const handler = (req: IncomingMessage): void => {
      req.socket.destroy();
    };
    await withUpstream(handler, async (gateway) => {
      const res = await get(gateway.url, '/api/orders', alice);
      expect(res.status).toBe(502);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'bad_gateway' } });
      expect(res.text).not.toMatch(/ECONNRESET|socket|UND_ERR/);
    });
  });
});

describe('security headers and request ids on every answer', () => {
  test.each([
    ['404', '/nope', {}],
    ['401', '/api/orders', {}],
    ['400', '/api/%2e%2e/auth', {}],
    ['200', '/api/orders', alice],
  ])('%s', async (_status, path, headers) => {
    await withUpstream(whoamiHandler, async (gateway) => {
      const res = await get(gateway.url, path, headers);
      expectSecurityHeaders(res.headers);
      if (res.status >= 400) {
        const body = JSON.parse(res.text) as { error: { requestId: string } };
        expect(body.error.requestId).toBe(res.headers['x-request-id']);
      }
    });
  });

  test('HSTS when the public origin is https', async () => {
    await withUpstream(
      whoamiHandler,
      async (gateway) => {
        const res = await get(gateway.url, '/nope');
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      },
      { AIRLOCK_AUTH_ISSUER: 'https://api.example/auth' },
    );
  });
});

describe('CORS: the first-party web client only', () => {
  const env = { AIRLOCK_WEB_ORIGIN: WEB_ORIGIN };

  test('preflight from the web client is answered at the gateway', async () => {
    await withUpstream(
      whoamiHandler,
      async (gateway, upstream) => {
        const res = await get(
          gateway.url,
          '/api/orders',
          {
            origin: WEB_ORIGIN,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
          'OPTIONS',
        );
        expect(res.status).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBe(WEB_ORIGIN);
        expect(res.headers['access-control-allow-methods']).toBe('POST');
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
        expect(upstream.received).toHaveLength(0);
      },
      env,
    );
  });

  test('other origins get no CORS headers, in preflights or answers', async () => {
    await withUpstream(
      whoamiHandler,
      async (gateway) => {
        const preflight = await get(
          gateway.url,
          '/api/orders',
          { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
          'OPTIONS',
        );
        expect(preflight.status).toBe(403);
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        const answer = await get(gateway.url, '/api/orders', { ...alice, origin: 'https://evil.example' });
        expect(answer.status).toBe(200);
        expect(answer.headers['access-control-allow-origin']).toBeUndefined();
        const allowed = await get(gateway.url, '/api/orders', { ...alice, origin: WEB_ORIGIN });
        expect(allowed.headers['access-control-allow-origin']).toBe(WEB_ORIGIN);
        expect(allowed.headers.vary).toContain('Origin');
      },
      env,
    );
  });

  test('CORS is off by default', async () => {
    await withUpstream(whoamiHandler, async (gateway) => {
      const res = await get(
        gateway.url,
        '/api/orders',
        { origin: 'http://127.0.0.1:8080', 'access-control-request-method': 'GET' },
        'OPTIONS',
      );
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  test('a preflight asking for headers the API does not read is refused', async () => {
    await withUpstream(
      whoamiHandler,
      async (gateway) => {
        const res = await get(
          gateway.url,
          '/api/orders',
          {
            origin: WEB_ORIGIN,
            'access-control-request-method': 'GET',
            'access-control-request-headers': 'x-user-id',
          },
          'OPTIONS',
        );
        expect(res.status).toBe(403);
      },
      env,
    );
  });
});
