// Orders' security cases: the token layer derived from the topology (every route x the shared authentication
// failures, audience replay from every other service, the registered routes), then orders' own authorization:
// object level (API1), function level (API5), server-owned properties (API3), routing.
import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { airlockTopology, allowedCallsTo } from '@airlock/topology';
import { describeTokenLayer } from '@airlock/testing/token-layer-suite';
import { errorCode, field } from '@airlock/testing/http';

import { ordersRoutes } from '../src/app.js';
import { OrdersRepository } from '../src/db/orders-repository.js';
import { service, tokenPolicy } from '../src/service.js';
import { createOrdersHarness, standInExchanger } from './support/harness.js';
import type { OrdersHarness } from './support/harness.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let harness: OrdersHarness;
  let alice: string;
  let bob: string;
  let aliceOrderId: string;
  const logLines: string[] = [];

  const ANY_ORDER = '0b7a3c1e-1111-4222-8333-944455566677';

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    });
    harness = await createOrdersHarness({
      logger: createLogger({ service: service.name, destination }),
      database: await databases.next(),
    });
    alice = await harness.userToken('alice');
    bob = await harness.userToken('bob');
    const created = await request(harness.app)
      .post('/orders')
      .set('Authorization', `Bearer ${alice}`)
      .send({ items: [{ sku: 'mug-enamel', quantity: 1 }] });
    aliceOrderId = String(field(created, 'id'));
  });
  afterAll(async () => {
    await harness.close();
  });

  const protectedRoutes = allowedCallsTo(airlockTopology, service.name).map((call) => ({
    method: call.method,
    path: call.path,
    url: call.path.replace(':id', ANY_ORDER),
  }));

  function send(method: string, url: string): request.Test {
    const agent = request(harness.app);
    return method === 'GET' ? agent.get(url) : agent.post(url).set('Idempotency-Key', 'key-security-1');
  }

  describeTokenLayer({
    service: service.name,
    app: () => harness.app,
    issuer: () => harness.issuer,
    validClaims: { sub: 'alice', scope: 'orders admin', act: { sub: 'gateway' } },
    requiredClaims: tokenPolicy.requiredClaims,
    pathParams: { id: ANY_ORDER },
    headers: { 'Idempotency-Key': 'key-security-1' },
    registeredRoutes: () =>
      ordersRoutes({
        repository: new OrdersRepository(harness.db),
        tokenExchanger: standInExchanger(harness.issuer),
        payments: {
          createCharge: () => Promise.reject(new Error('unused')),
          createRefund: () => Promise.reject(new Error('unused')),
        },
        logger: createLogger({ service: service.name, level: 'silent' }),
        now: () => new Date(),
        paymentMethod: 'pm_fake_visa',
      }),
  });

  describe('the tokens orders itself sends on', () => {
    it('refuses the very token orders sends to payments (aud payments, act orders)', async () => {
      const exchanged = await standInExchanger(harness.issuer).exchange(alice, 'orders');
      const response = await request(harness.app).get('/orders').set('Authorization', `Bearer ${exchanged}`);
      expect(response.status).toBe(401);
    });
  });

  describe('object level (API1): bob cannot touch alice’s order', () => {
    it('answers bob’s read with the same 404 as for an order that does not exist', async () => {
      const theirs = await request(harness.app)
        .get(`/orders/${aliceOrderId}`)
        .set('Authorization', `Bearer ${bob}`);
      const none = await request(harness.app)
        .get(`/orders/${ANY_ORDER}`)
        .set('Authorization', `Bearer ${bob}`);
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual({
        error: { ...(none.body as { error: object }).error, requestId: expect.any(String) },
      });
      expect(errorCode(theirs)).toBe(errorCode(none));
    });

    it('answers bob’s pay with 404, calls neither auth nor payments, and leaves the order unpaid', async () => {
      const before = harness.exchanges.length;
      const response = await request(harness.app)
        .post(`/orders/${aliceOrderId}/pay`)
        .set('Authorization', `Bearer ${bob}`)
        .set('Idempotency-Key', 'bob-tries-to-pay');
      expect(response.status).toBe(404);
      expect(errorCode(response)).toBe('not_found');
      expect(harness.exchanges.length).toBe(before);
      const row = await harness.db.get('SELECT status FROM orders WHERE id = ?', [aliceOrderId]);
      expect(row?.['status']).toBe('pending_payment');
    });

    it('does not list alice’s order for bob', async () => {
      const response = await request(harness.app).get('/orders').set('Authorization', `Bearer ${bob}`);
      expect(response.body).toEqual([]);
    });

    it('writes a deny audit line naming the reason, and never a token', () => {
      const audit = logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['audit']);
      expect(audit).toContainEqual(
        expect.objectContaining({
          decision: 'deny',
          reason: 'not_owner',
          subject: 'bob',
          route: 'GET /orders/:id',
        }),
      );
      expect(audit).toContainEqual(
        expect.objectContaining({
          decision: 'allow',
          subject: 'alice',
          caller: 'gateway',
          route: 'POST /orders',
        }),
      );
      const all = logLines.join('\n');
      expect(all).not.toContain(alice);
      expect(all).not.toContain(bob.split('.')[2]);
    });
  });

  describe('function level (API5): admin routes', () => {
    it('refuses a user token on the admin listing with 403 insufficient_scope', async () => {
      const response = await request(harness.app)
        .get('/admin/orders')
        .set('Authorization', `Bearer ${alice}`);
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('insufficient_scope');
    });

    it('refuses a user token on the admin refund with 403 insufficient_scope', async () => {
      const response = await request(harness.app)
        .post(`/admin/orders/${aliceOrderId}/refund`)
        .set('Authorization', `Bearer ${alice}`)
        .set('Idempotency-Key', 'alice-refunds-herself');
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('insufficient_scope');
    });

    it('refuses a token with only the admin scope (admin routes are order routes too)', async () => {
      const adminOnly = await harness.userToken('carol', { scope: 'admin' });
      const response = await request(harness.app)
        .get('/admin/orders')
        .set('Authorization', `Bearer ${adminOnly}`);
      expect(response.status).toBe(403);
    });

    it('lists every user’s orders, with owner, for an admin', async () => {
      const carol = await harness.userToken('carol', { scope: 'orders admin' });
      const response = await request(harness.app)
        .get('/admin/orders')
        .set('Authorization', `Bearer ${carol}`);
      expect(response.status).toBe(200);
      expect(response.body).toContainEqual(
        expect.objectContaining({ id: aliceOrderId, owner: 'alice', chargeId: null }),
      );
      const unknown = await request(harness.app)
        .get('/admin/orders?owner=alice')
        .set('Authorization', `Bearer ${carol}`);
      expect(errorCode(unknown)).toBe('unknown_query_parameter');
    });

    it.each([
      ['DELETE', `/orders/${ANY_ORDER}`, 'GET, HEAD'],
      ['PUT', '/orders', 'GET, HEAD, POST'],
      ['PATCH', `/orders/${ANY_ORDER}`, 'GET, HEAD'],
      ['GET', `/orders/${ANY_ORDER}/pay`, 'POST'],
      ['DELETE', '/admin/orders', 'GET, HEAD'],
      ['GET', `/admin/orders/${ANY_ORDER}/refund`, 'POST'],
      ['POST', '/catalog', 'GET, HEAD'],
    ])('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
      const response = await request(harness.app)
        [method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url)
        .set('Authorization', `Bearer ${alice}`);
      expect(response.status).toBe(405);
      expect(errorCode(response)).toBe('method_not_allowed');
      expect(response.headers['allow']).toBe(allow);
    });
  });

  describe('POST /orders: clients cannot set server-owned properties (API3)', () => {
    it.each([
      ['price on an item', { items: [{ sku: 'mug-enamel', quantity: 1, price: 1 }] }],
      ['unitPrice on an item', { items: [{ sku: 'mug-enamel', quantity: 1, unitPrice: 1 }] }],
      ['total', { items: [{ sku: 'mug-enamel', quantity: 1 }], total: 1 }],
      ['status', { items: [{ sku: 'mug-enamel', quantity: 1 }], status: 'paid' }],
      ['owner', { items: [{ sku: 'mug-enamel', quantity: 1 }], owner: 'bob' }],
      ['ownerSub', { items: [{ sku: 'mug-enamel', quantity: 1 }], ownerSub: 'bob' }],
      ['currency', { items: [{ sku: 'mug-enamel', quantity: 1 }], currency: 'USD' }],
      ['id', { items: [{ sku: 'mug-enamel', quantity: 1 }], id: '00000000-0000-4000-8000-000000000000' }],
    ])('refuses %s with 400 unknown_field and creates nothing', async (_name, body) => {
      const count = async (): Promise<unknown> =>
        (await harness.db.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM orders'))?.['n'];
      const before = await count();
      const response = await request(harness.app)
        .post('/orders')
        .set('Authorization', `Bearer ${alice}`)
        .send(body);
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('unknown_field');
      expect(await count()).toBe(before);
    });
  });

  describe('routes and the topology', () => {
    it.each(protectedRoutes)('serves $method $path behind a token (401 without one)', async (route) => {
      const response = await send(route.method, route.url);
      expect(response.status).toBe(401);
    });

    it('answers paths the topology does not declare with 404, including other spellings', async () => {
      for (const path of ['/orders/', '/Orders', '/api/orders', '/admin', '/charges', '/images']) {
        const response = await request(harness.app).get(path).set('Authorization', `Bearer ${alice}`);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
      }
    });
  });
});
