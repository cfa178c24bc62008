import { describe, expect, test } from '@jest/globals';
import { airlockTopology } from '@airlock/topology';
import { buildRouteTable } from '../src/routing/route-table.js';

const table = buildRouteTable(airlockTopology);

describe('route table derived from the topology', () => {
  test('has exactly the edge prefixes of the topology, longest first', () => {
    expect(table.edges.map((edge) => edge.prefix).sort()).toEqual(
      airlockTopology.edgeRoutes.map((route) => route.prefix).sort(),
    );
  });

  test.each([
    ['GET', '/api/catalog', 'orders', '/catalog', 'GET /api/catalog'],
    ['GET', '/api/orders', 'orders', '/orders', 'GET /api/orders'],
    ['POST', '/api/orders', 'orders', '/orders', 'POST /api/orders'],
    ['GET', '/api/orders/42', 'orders', '/orders/42', 'GET /api/orders/:id'],
    ['POST', '/api/orders/42/pay', 'orders', '/orders/42/pay', 'POST /api/orders/:id/pay'],
    ['GET', '/api/admin/orders', 'orders', '/admin/orders', 'GET /api/admin/orders'],
    [
      'POST',
      '/api/admin/orders/7/refund',
      'orders',
      '/admin/orders/7/refund',
      'POST /api/admin/orders/:id/refund',
    ],
    ['POST', '/api/images', 'image-processor', '/images', 'POST /api/images'],
    ['GET', '/auth/jwks', 'auth', '/auth/jwks', 'GET /auth/jwks'],
    [
      'GET',
      '/auth/.well-known/openid-configuration',
      'auth',
      '/auth/.well-known/openid-configuration',
      'GET /auth/.well-known/openid-configuration',
    ],
    ['POST', '/auth/token', 'auth', '/auth/token', 'POST /auth/token'],
    [
      'POST',
      '/auth/interaction/abc/login',
      'auth',
      '/auth/interaction/abc/login',
      'POST /auth/interaction/:uid/login',
    ],
  ])('%s %s -> %s %s', (method, path, service, upstreamPath, label) => {
    const match = table.match(method, path);
    expect(match.kind).toBe('matched');
    if (match.kind !== 'matched') return;
    expect(match.edge.service).toBe(service);
    expect(match.upstreamPath).toBe(upstreamPath);
    expect(match.route.label).toBe(label);
  });

  test('public auth routes forward without a token; business routes need one', () => {
    const auth = table.match('GET', '/auth/jwks');
    const orders = table.match('GET', '/api/orders');
    expect(auth.kind === 'matched' && auth.edge.as).toBe('public');
    expect(orders.kind === 'matched' && orders.edge.as).toBe('user');
  });

  test('/ and the other routes of the web shop go to web as public routes; nothing else of / does', () => {
    const root = table.match('GET', '/');
    expect(root.kind === 'matched' && [root.edge.service, root.edge.as, root.upstreamPath]).toEqual([
      'web',
      'public',
      '/',
    ]);
    const callback = table.match('GET', '/callback');
    expect(callback.kind === 'matched' && callback.upstreamPath).toBe('/callback');
    expect(table.match('GET', '/bff/api/orders/1').kind).toBe('matched');
    expect(table.match('GET', '/index.html').kind).toBe('not_found');
    expect(table.match('GET', '/bff/api/admin/orders').kind).toBe('not_found');
    expect(table.match('DELETE', '/').kind).toBe('method_not_allowed');
  });

  test.each([
    ['/api'],
    ['/api/'],
    ['/api/orders/'],
    ['/api/ordersx'],
    ['/api/orders/42/pay/extra'],
    ['/api/catalog/1'],
    ['/api/images/1'],
    ['/api/payments'],
    ['/payments/charges'],
    ['/charges'],
    ['/orders'],
    ['/images'],
    ['/API/orders'],
    ['/Api/Orders'],
    ['/auth/token/introspection'],
    ['/auth/reg'],
    ['/auth/session/end'],
    ['/auth'],
    ['/healthz/x'],
  ])('%s is not reachable (404)', (path) => {
    expect(table.match('GET', path).kind).toBe('not_found');
    expect(table.match('POST', path).kind).toBe('not_found');
  });

  test('introspection is a service call of the gateway, never an edge route', () => {
    expect(table.match('POST', '/auth/token/introspection')).toEqual({ kind: 'not_found' });
  });

  test.each([
    ['DELETE', '/api/orders/1', ['GET']],
    ['PUT', '/api/orders', ['GET', 'POST']],
    ['GET', '/api/images', ['POST']],
    ['GET', '/auth/token', ['POST']],
    ['HEAD', '/api/catalog', ['GET']],
    ['OPTIONS', '/api/catalog', ['GET']],
    ['get', '/api/catalog', ['GET']],
  ])('%s %s is 405 with Allow %j', (method, path, allow) => {
    expect(table.match(method, path)).toEqual({ kind: 'method_not_allowed', allow });
  });
});
