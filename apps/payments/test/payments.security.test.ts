// Payments' security cases: the token layer derived from the topology (every route x the shared authentication
// failures with a real body and no data touched, audience replay from every other service, the registered
// routes), then payments' own: the caller policy (orders only), refunds for admins only, routing, the logs.
import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { airlockTopology, allowedCallsTo } from '@airlock/topology';
import { errorCode } from '@airlock/testing/http';
import { describeTokenLayer } from '@airlock/testing/token-layer-suite';

import { paymentsRoutes } from '../src/app.js';
import { PaymentsRepository } from '../src/db/payments-repository.js';
import { service, tokenPolicy } from '../src/service.js';
import { countRows } from './support/fixtures.js';
import { createPaymentsHarness, operationOfBody } from './support/harness.js';
import type { PaymentsHarness } from './support/harness.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let harness: PaymentsHarness;
  const logLines: string[] = [];

  const routes = [
    {
      method: 'POST',
      path: '/charges',
      scope: 'orders',
      body: {
        orderId: '7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
        amount: 100,
        currency: 'EUR',
        paymentMethod: 'pm_fake_visa',
      },
    },
    {
      method: 'POST',
      path: '/refunds',
      scope: 'orders admin',
      body: { chargeId: 'ch_00000000-0000-4000-8000-000000000000' },
    },
  ] as const;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    });
    harness = await createPaymentsHarness(
      createLogger({ service: service.name, destination }),
      await databases.next(),
    );
  });
  afterAll(async () => {
    await harness.close();
  });

  describeTokenLayer({
    service: service.name,
    app: () => harness.app,
    issuer: () => harness.issuer,
    validClaims: { scope: 'orders admin', act: { sub: 'orders', act: { sub: 'gateway' } } },
    headers: { 'Idempotency-Key': 'key-auth-cases' },
    requiredClaims: tokenPolicy.requiredClaims,
    body: (route) => routes.find((candidate) => candidate.path === route.path)?.body,
    assertUntouched: async () => {
      expect(await countRows(harness, 'idempotency_records')).toBe(0);
    },
    registeredRoutes: () => paymentsRoutes(new PaymentsRepository(harness.db), () => new Date()),
  });

  describe('caller policy', () => {
    it('accepts orders, acting for the user, as the immediate caller of /charges', async () => {
      const response = await request(harness.app)
        .post('/charges')
        .set(
          'Authorization',
          `Bearer ${await harness.boundTo(await harness.ordersToken({}, {}), operationOfBody('/charges', routes[0].body))}`,
        )
        .set('Idempotency-Key', 'key-caller-ok')
        .send(routes[0].body);
      expect(response.status).toBe(201);
    });

    it('refuses the gateway as the immediate caller (act.sub gateway) with 403', async () => {
      const token = await harness.issuer.mint({ claims: { scope: 'orders', act: { sub: 'gateway' } } });
      const response = await request(harness.app)
        .post('/charges')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', 'key-caller-gw')
        .send(routes[0].body);
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('caller_not_allowed');
    });

    it('refuses a token addressed to orders (aud: orders) with 401, even from orders', async () => {
      const token = await harness.ordersToken({ aud: 'orders' });
      const response = await request(harness.app)
        .post('/charges')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', 'key-aud-orders')
        .send(routes[0].body);
      expect(response.status).toBe(401);
      expect(errorCode(response)).toBe('invalid_token');
    });
  });

  describe('routing', () => {
    it.each(allowedCallsTo(airlockTopology, service.name))(
      'serves $method $path behind a token (401 without one)',
      async (call) => {
        const response = await request(harness.app)[call.method === 'GET' ? 'get' : 'post'](call.path);
        expect(response.status).toBe(401);
      },
    );

    it('answers a wrong method on a known path with 405 and Allow', async () => {
      const response = await request(harness.app).get('/charges');
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('POST');
      expect(errorCode(response)).toBe('method_not_allowed');
    });

    it('answers an unknown path with 404 not_found', async () => {
      const response = await request(harness.app).post('/charges/1/capture');
      expect(response.status).toBe(404);
      expect(errorCode(response)).toBe('not_found');
    });

    it('is ready when its database answers', async () => {
      expect((await request(harness.app).get('/readyz')).status).toBe(200);
    });
  });

  describe('logs', () => {
    it('write one audit line per decision and never a token', async () => {
      const token = await harness.ordersToken();
      await request(harness.app)
        .post('/charges')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', 'key-logs-1')
        .send({ ...routes[0].body, orderId: '0b7a3c1e-1111-4222-8333-944455566677' });
      const audit = logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line['audit']);
      expect(audit.some((line) => line['decision'] === 'allow' && line['caller'] === 'orders')).toBe(true);
      expect(
        audit.some((line) => line['decision'] === 'deny' && line['reason'] === 'caller_not_allowed'),
      ).toBe(true);
      const all = logLines.join('\n');
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('.')[2]);
    });
  });
});
