// Routing at the edge, against a running gateway with raw requests: nasty paths are refused or normalized
// before routing and never cause a 500; only declared routes reach a service; unknown is 404, wrong method 405.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { request } from 'undici';
import { rawGet, rawRequest } from './support/raw-http.js';
import { startStubAuth, tokenFor, type StubAuth } from './support/stub-auth.js';
import { startTestGateway, type TestGateway } from './support/start-gateway.js';
import { startStub, whoamiHandler, type StubServer } from './support/stub-server.js';

let auth: StubAuth;
let orders: StubServer;
let images: StubServer;
// The web shop answers the paths under `/` that the topology routes to it (`/`, `/callback`, ...).
let web: StubServer;
let gw: TestGateway;
const authorization = `Authorization: Bearer ${tokenFor('alice')}`;

beforeAll(async () => {
  auth = await startStubAuth();
  orders = await startStub(whoamiHandler);
  images = await startStub(whoamiHandler);
  web = await startStub(whoamiHandler);
  gw = await startTestGateway({
    authUrl: auth.url,
    ordersUrl: orders.url,
    imagesUrl: images.url,
    env: { AIRLOCK_WEB_URL: web.url },
  });
});
afterAll(async () => {
  await gw.close();
  await Promise.all([orders.close(), images.close(), web.close(), auth.close()]);
});

describe('nasty paths never reach a route they should not, and never 500', () => {
  test.each([
    ['/api/orders%2f1', 400, 'invalid_path'],
    ['/api/orders%2F..%2Fadmin', 400, 'invalid_path'],
    ['/api/%2e%2e/auth/token/introspection', 400, 'invalid_path'],
    ['/api/images/../orders', 400, 'invalid_path'],
    ['/api/./orders', 400, 'invalid_path'],
    ['/api/orders/..', 400, 'invalid_path'],
    ['/api/orders\\..\\admin', 400, 'invalid_path'],
    ['/api/orders;jsessionid=x', 400, 'invalid_path'],
    ['/api/orders/1;/../../admin/orders', 400, 'invalid_path'],
    ['/api/orders/%00', 400, 'invalid_path'],
    ['/api/orders/%C0%AE%C0%AE', 400, 'invalid_path'],
    ['/api/orders/%252e%252e/', 400, 'invalid_path'],
    ['/api/orders?access_token=abc', 400, 'token_in_query'],
    ['/API/orders', 404, 'not_found'],
    ['/Api/Orders', 404, 'not_found'],
    ['/api/ORDERS', 404, 'not_found'],
    ['/api/orders/', 404, 'not_found'],
    ['/api/ordersx', 404, 'not_found'],
    ['/api/payments/charges', 404, 'not_found'],
    ['/charges', 404, 'not_found'],
    ['/orders', 404, 'not_found'],
    ['/auth/token/introspection', 404, 'not_found'],
    ['/auth/../api/admin/orders', 400, 'invalid_path'],
    [`/api/orders/${'a'.repeat(3000)}`, 414, 'uri_too_long'],
  ])('GET %s -> %i %s', async (target, status, code) => {
    const before = orders.received.length + images.received.length + auth.server.received.length;
    const res = await rawGet(gw.url, target, [authorization]);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code } });
    expect(orders.received.length + images.received.length + auth.server.received.length).toBe(before);
  });

  test('merged slashes and decoded unreserved characters route to the canonical path', async () => {
    const res = await rawGet(gw.url, '//api//%6Frders///42', [authorization]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ url: '/orders/42', sub: 'alice' });
    expect(orders.received.at(-1)?.url).toBe('/orders/42');
  });

  test('the query string passes through unchanged after the path check', async () => {
    const res = await rawGet(gw.url, '/api/orders?status=open&page=2', [authorization]);
    expect(JSON.parse(res.body)).toMatchObject({ url: '/orders?status=open&page=2' });
  });

  test('raw bytes the parser lets through (non-ASCII, control) are 400, never 500', async () => {
    for (const target of ['/api/ord\u00e9rs', '/api/orders/\u00ff', '/api/orders/\u007f']) {
      const res = await rawRequest(
        gw.url,
        Buffer.concat([
          Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'),
        ]),
      );
      expect(res.status).toBe(400);
    }
  });

  test('a random walk of hostile paths: no 5xx, and a forwarded path is always a declared route', async () => {
    const pieces = [
      'api',
      'orders',
      'admin',
      'auth',
      '..',
      '.',
      '',
      '%2e',
      '%2f',
      '%5c',
      ';',
      '%00',
      'API',
      '1',
      '%41',
      '//',
      'images',
      'token',
      'introspection',
    ];
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let index = 0; index < 300; index += 1) {
      const length = 1 + (next() % 5);
      const target = `/${Array.from({ length }, () => pieces[next() % pieces.length] ?? '').join('/')}`;
      const res = await rawGet(gw.url, target, [authorization]);
      expect(res.status).toBeLessThan(500);
    }
    const forwarded = orders.received.map((request) => request.url.split('?')[0]);
    for (const path of forwarded)
      expect(path).toMatch(/^\/(catalog|orders(\/[^/]+(\/pay)?)?|admin\/orders(\/[^/]+\/refund)?)$/);
  });
});

describe('declared routes only', () => {
  test('wrong method: 405 with Allow, nothing forwarded', async () => {
    const before = orders.received.length;
    const res = await rawRequest(
      gw.url,
      `DELETE /api/orders/1 HTTP/1.1\r\nHost: x\r\n${authorization}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'method_not_allowed' } });
    expect(orders.received.length).toBe(before);
  });

  test('HEAD is not declared: 405', async () => {
    const res = await rawRequest(
      gw.url,
      `HEAD /api/catalog HTTP/1.1\r\nHost: x\r\n${authorization}\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
  });

  test('every declared user route reaches its service with the prefix rewritten', async () => {
    for (const [method, path, upstream, expected] of [
      ['GET', '/api/catalog', orders, '/catalog'],
      ['GET', '/api/orders/7', orders, '/orders/7'],
      ['POST', '/api/orders/7/pay', orders, '/orders/7/pay'],
      ['GET', '/api/admin/orders', orders, '/admin/orders'],
      ['POST', '/api/admin/orders/7/refund', orders, '/admin/orders/7/refund'],
      ['POST', '/api/images', images, '/images'],
    ] as const) {
      const res = await rawRequest(
        gw.url,
        `${method} ${path} HTTP/1.1\r\nHost: x\r\n${authorization}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(200);
      expect(upstream.received.at(-1)?.url).toBe(expected);
    }
  });

  test('public auth routes are forwarded without a token and without an exchange', async () => {
    const exchanges = auth.calls();
    const res = await request(`${gw.url}/auth/jwks`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toHaveProperty('keys');
    expect(auth.calls()).toBe(exchanges);
    expect(gw.decisions.at(-1)).toMatchObject({
      allowed: true,
      reason: 'public_route',
      route: 'GET /auth/jwks',
    });
  });
});

describe('health', () => {
  test('liveness and readiness answer loopback peers (the container healthcheck), without an audit line', async () => {
    const decisions = gw.decisions.length;
    for (const path of ['/healthz', '/readyz']) {
      const res = await request(`${gw.url}${path}`);
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual({ status: 'ok' });
    }
    expect(gw.decisions.length).toBe(decisions);
  });

  test('with a query or another method they are not routes', async () => {
    expect((await rawGet(gw.url, '/healthz?x=1')).status).toBe(404);
    const res = await rawRequest(
      gw.url,
      'POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(res.status).toBe(404);
  });
});
