// The token layer of a service's routes: the topology's callers and the route's scopes are enforced on every
// route, every decision leaves one audit line without the token, other methods are 405 with Allow, and a
// route the topology does not declare stops the service from starting.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Express, RequestHandler } from 'express';
import request from 'supertest';
import { authFailureCases } from '@airlock/testing/auth-failure-cases';
import type { AuthFailureCase } from '@airlock/testing/auth-failure-cases';
import { errorCode } from '@airlock/testing/http';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { TestIssuer } from '@airlock/testing/tokens';
import { createTokenVerifier } from '@airlock/token-verification';
import { airlockTopology, defineTopology } from '@airlock/topology';

import { createServiceApp, finishApp } from '../src/create-service-app.js';
import { authOf, registerProtectedRoutes, routeTokenGuard } from '../src/protected-routes.js';
import type { ProtectedRoute } from '../src/protected-routes.js';
import { createRouter } from '../src/router.js';
import { serviceTokenVerifierOptions } from '../src/service-token-verifier.js';
import { memoryLogger } from './helpers/memory-logger.js';
import type { MemoryLogger } from './helpers/memory-logger.js';

let issuer: TestIssuer;

beforeAll(async () => {
  // What the gateway forwards to orders: alice's token with the orders scope, relayed by the gateway.
  issuer = await createTestIssuer({
    audience: 'orders',
    claims: { scope: 'orders', act: { sub: 'gateway' } },
  });
});

const whoAmI: RequestHandler = (req, res) => {
  res.json({ sub: authOf(req).sub });
};

// Three of orders' routes as the topology declares them (caller: gateway).
const ordersRoutes: ProtectedRoute[] = [
  { method: 'GET', path: '/orders', scopes: ['orders'], handlers: [whoAmI] },
  { method: 'POST', path: '/orders', scopes: ['orders'], handlers: [whoAmI] },
  { method: 'GET', path: '/admin/orders', scopes: ['orders', 'admin'], handlers: [whoAmI] },
];

function ordersApp(routes: readonly ProtectedRoute[] = ordersRoutes): { app: Express; log: MemoryLogger } {
  const log = memoryLogger();
  const verifier = createTokenVerifier(
    serviceTokenVerifierOptions({
      service: 'orders',
      issuer: TEST_ISSUER,
      jwks: issuer.jwks,
      requiredClaims: ['jti'],
    }),
  );
  const app = createServiceApp({ logger: log.logger, trustIncomingRequestId: false });
  const router = createRouter();
  registerProtectedRoutes(router, routes, { service: 'orders', verifier, logger: log.logger });
  app.use(router);
  return { app: finishApp(app, { logger: log.logger }), log };
}

const auditLines = (log: MemoryLogger): Record<string, unknown>[] =>
  log.records().filter((record) => record['audit'] === true);

describe('registerProtectedRoutes', () => {
  it('serves a token from an allowed caller with the scopes, and audits the allow once', async () => {
    const { app, log } = ordersApp();
    const token = await issuer.mint();
    const response = await request(app).get('/orders').set('Authorization', `Bearer ${token}`).expect(200);
    expect(response.body).toEqual({ sub: 'alice' });
    expect(auditLines(log)).toEqual([
      expect.objectContaining({
        decision: 'allow',
        route: 'GET /orders',
        reason: 'token_accepted',
        subject: 'alice',
        client: 'airlock-cli',
        caller: 'gateway',
        requestId: response.headers['x-request-id'],
      }),
    ]);
    expect(log.text()).not.toContain(token);
  });

  describe('every route against the shared failure table', () => {
    let cases: AuthFailureCase[];

    beforeAll(async () => {
      cases = await authFailureCases({
        issuer,
        audience: 'orders',
        validClaims: { sub: 'alice', scope: 'orders admin', act: { sub: 'gateway' } },
        foreignCaller: 'image-processor',
        otherAudience: 'payments',
      });
    });

    it.each(ordersRoutes.map((route) => [route.method, route.path] as const))(
      '%s %s answers each case with its status and code, and audits a deny without the token',
      async (method, path) => {
        const { app, log } = ordersApp();
        for (const failure of cases) {
          const call = method === 'GET' ? request(app).get(path) : request(app).post(path);
          if (failure.authorization !== undefined) call.set('Authorization', failure.authorization);
          const response = await call;
          expect({ case: failure.name, status: response.status, code: errorCode(response) }).toEqual({
            case: failure.name,
            status: failure.status,
            code: failure.code,
          });
          expect(auditLines(log).at(-1)).toMatchObject({
            decision: 'deny',
            route: `${method} ${path}`,
            requestId: response.headers['x-request-id'],
          });
        }
        expect(auditLines(log).filter((line) => line['decision'] === 'allow')).toEqual([]);
        for (const failure of cases) {
          const token = failure.authorization?.split(' ')[1];
          if (token !== undefined && token.length > 20) expect(log.text()).not.toContain(token);
        }
      },
    );
  });

  it('audits a refused caller by name, and a missing token by the verifier’s reason', async () => {
    const { app, log } = ordersApp();
    const fromPayments = await issuer.mint({ claims: { act: { sub: 'payments' } } });
    await request(app).get('/orders').set('Authorization', `Bearer ${fromPayments}`).expect(403);
    await request(app).get('/orders').expect(401);
    expect(auditLines(log)).toEqual([
      expect.objectContaining({ decision: 'deny', reason: 'caller_not_allowed', caller: 'payments' }),
      expect.objectContaining({ decision: 'deny', reason: 'token_missing' }),
    ]);
  });

  it('requires every scope of the route', async () => {
    const { app } = ordersApp();
    const userToken = await issuer.mint();
    const response = await request(app).get('/admin/orders').set('Authorization', `Bearer ${userToken}`);
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('insufficient_scope');
    const adminToken = await issuer.mint({ claims: { scope: 'orders admin' } });
    await request(app).get('/admin/orders').set('Authorization', `Bearer ${adminToken}`).expect(200);
  });

  it.each([
    ['DELETE', '/orders', 'GET, HEAD, POST'],
    ['PUT', '/admin/orders', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const { app } = ordersApp();
    const response = await request(app)[method === 'PUT' ? 'put' : 'delete'](path);
    expect(response.status).toBe(405);
    expect(errorCode(response)).toBe('method_not_allowed');
    expect(response.headers['allow']).toBe(allow);
  });

  it('refuses to register a route the topology does not declare for the service', () => {
    expect(() =>
      ordersApp([{ method: 'DELETE', path: '/orders/:id', scopes: ['orders'], handlers: [whoAmI] }]),
    ).toThrow('orders: route DELETE /orders/:id is not declared in the topology');
    // Declared, but for another service: still not one of orders' routes.
    expect(() =>
      ordersApp([{ method: 'POST', path: '/charges', scopes: ['orders'], handlers: [whoAmI] }]),
    ).toThrow('orders: route POST /charges is not declared in the topology');
  });

  it('refuses to register a route whose scopes differ from those the topology gives it (issue 11, finding 8)', () => {
    // Auth narrows orders' tokens to the topology's scopes: a route asking for another would refuse everyone.
    expect(() =>
      ordersApp([{ method: 'GET', path: '/orders', scopes: ['images'], handlers: [whoAmI] }]),
    ).toThrow('orders: route GET /orders requires scopes "images" but the topology declares "orders"');
    expect(() =>
      ordersApp([{ method: 'GET', path: '/admin/orders', scopes: ['orders'], handlers: [whoAmI] }]),
    ).toThrow('but the topology declares "admin orders"');
  });
});

describe('routeTokenGuard', () => {
  function guardedApp(log: MemoryLogger): Express {
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({ service: 'orders', issuer: TEST_ISSUER, jwks: issuer.jwks }),
    );
    const app = createServiceApp({ logger: log.logger, trustIncomingRequestId: false });
    const guard = routeTokenGuard(
      { method: 'GET', path: '/orders', scopes: ['orders'] },
      { service: 'orders', verifier, logger: log.logger },
    );
    app.get('/orders', guard, whoAmI);
    return finishApp(app, { logger: log.logger });
  }

  it('lets an accepted token through without an audit line: the route writes its own', async () => {
    const log = memoryLogger();
    const token = await issuer.mint();
    await request(guardedApp(log)).get('/orders').set('Authorization', `Bearer ${token}`).expect(200);
    expect(auditLines(log)).toEqual([]);
  });

  it('refuses with the token layer’s answer and one deny audit line', async () => {
    const log = memoryLogger();
    const token = await issuer.mint({ claims: { act: { sub: 'orders' } } });
    const response = await request(guardedApp(log)).get('/orders').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(403);
    expect(auditLines(log)).toEqual([
      expect.objectContaining({
        decision: 'deny',
        route: 'GET /orders',
        reason: 'caller_not_allowed',
        caller: 'orders',
        requestId: response.headers['x-request-id'],
      }),
    ]);
  });

  it('refuses to build a guard for a route the topology does not declare', () => {
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({ service: 'gateway', issuer: TEST_ISSUER, jwks: issuer.jwks }),
    );
    expect(() =>
      routeTokenGuard(
        { method: 'POST', path: '/images', scopes: ['images'] },
        { service: 'gateway', verifier, logger: memoryLogger().logger },
      ),
    ).toThrow('gateway: route POST /images is not declared in the topology');
  });
});

describe('the topology option', () => {
  it("takes the callers from the topology it is given instead of Airlock's", () => {
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({ service: 'orders', issuer: TEST_ISSUER, jwks: issuer.jwks }),
    );
    const route = { method: 'GET', path: '/stock', scopes: [] } as const;
    const options = { service: 'orders', verifier, logger: memoryLogger().logger };
    expect(() => routeTokenGuard(route, options)).toThrow(
      'orders: route GET /stock is not declared in the topology',
    );
    const withStock = defineTopology({
      ...airlockTopology,
      calls: [
        ...airlockTopology.calls,
        {
          from: 'gateway',
          to: 'orders',
          as: 'user',
          why: 'test',
          routes: [{ method: 'GET', path: '/stock' }],
        },
      ],
    });
    expect(typeof routeTokenGuard(route, { ...options, topology: withStock })).toBe('function');
  });
});

describe('authOf', () => {
  it('fails closed when a handler is reached without a guard: a 500, never a request without a user', async () => {
    const log = memoryLogger();
    const app = createServiceApp({ logger: log.logger, trustIncomingRequestId: false });
    app.get('/unguarded', whoAmI);
    const response = await request(finishApp(app, { logger: log.logger })).get('/unguarded');
    expect(response.status).toBe(500);
    expect(errorCode(response)).toBe('internal_error');
    expect(log.text()).toContain('route reached without a verified token');
  });
});
