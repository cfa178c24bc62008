// Orders -> payments over real HTTP on loopback: the real payments app in-process, trusting the same test
// issuer whose key mints the exchanged tokens (aud: payments, act: orders acting for the gateway's user).
// Also payments failing (500) and hanging: the order stays unpaid and a retry with the same key is safe.
// Both services on either engine (one database each, as they run).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp as createPaymentsApp } from '@airlock/payments/app';
import { openPaymentsDatabase } from '@airlock/payments/database';
import { tokenPolicy } from '@airlock/payments/service';
import { createLogger } from '@airlock/service-kit';
import type { SqlDatabase, SqlRow } from '@airlock/service-kit/database';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { errorCode, field } from '@airlock/testing/http';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { TestIssuer } from '@airlock/testing/tokens';

import { createOrdersHarness } from '../support/harness.js';
import type { OrdersHarness } from '../support/harness.js';
import { failingPayments, hangingPayments, listenOnLoopback } from '../support/servers.js';
import type { RunningServer } from '../support/servers.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

/** The payments client's deadline in the test of 50 concurrent pays. */
const CONCURRENT_PAYS_TIMEOUT_MS = 15_000;

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  let issuer: TestIssuer;
  let paymentsDb: SqlDatabase;
  let payments: RunningServer;
  const harnesses: OrdersHarness[] = [];
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders' });
    paymentsDb = await openPaymentsDatabase(await databases.next());
    const app = createPaymentsApp({
      logger: createLogger({ service: 'payments', level: 'silent' }),
      verifier: createTokenVerifier(
        serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
      ),
      db: paymentsDb,
    });
    payments = await listenOnLoopback(app);
  });
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.close();
    for (const server of servers.splice(0)) await server.close();
  });
  afterAll(async () => {
    await payments.close();
    await paymentsDb.close();
  });

  async function ordersWith(paymentsUrl: URL, paymentsTimeoutMs?: number): Promise<OrdersHarness> {
    const harness = await createOrdersHarness({
      database: await databases.next(),
      issuer,
      paymentsUrl,
      ...(paymentsTimeoutMs === undefined ? {} : { paymentsTimeoutMs }),
    });
    harnesses.push(harness);
    return harness;
  }

  async function newOrder(harness: OrdersHarness, token: string): Promise<{ id: string; total: number }> {
    const response = await request(harness.app)
      .post('/orders')
      .set('Authorization', `Bearer ${token}`)
      .send({
        items: [
          { sku: 'kettle-gooseneck', quantity: 1 },
          { sku: 'tea-sencha', quantity: 2 },
        ],
      });
    return { id: String(field(response, 'id')), total: Number(field(response, 'total')) };
  }

  function pay(harness: OrdersHarness, id: string, token: string, key: string): request.Test {
    return request(harness.app)
      .post(`/orders/${id}/pay`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', key);
  }

  function chargesFor(orderId: string): Promise<SqlRow[]> {
    return paymentsDb.all('SELECT * FROM charges WHERE order_id = ?', [orderId]);
  }

  async function orderStatus(harness: OrdersHarness, id: string): Promise<unknown> {
    return (await harness.db.get('SELECT status FROM orders WHERE id = ?', [id]))?.['status'];
  }

  describe('paying through the real payments service', () => {
    it('charges the stored total for the owner and marks the order paid', async () => {
      const harness = await ordersWith(payments.url);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const response = await pay(harness, order.id, alice, 'pay-key-0001');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: order.id,
        status: 'paid',
        total: 4999 + 2 * 899,
        paidAt: expect.any(String),
      });
      const [charge] = await chargesFor(order.id);
      expect(charge).toMatchObject({
        user_sub: 'alice',
        amount: order.total,
        currency: 'EUR',
        payment_method: 'pm_fake_visa',
      });
      expect(harness.exchanges).toEqual([{ subject: 'alice', scope: 'orders' }]);
      const attempts = await harness.db.all(
        'SELECT kind, outcome, amount, payments_reference FROM payment_attempts',
      );
      expect(attempts).toEqual([
        { kind: 'charge', outcome: 'succeeded', amount: order.total, payments_reference: charge?.['id'] },
      ]);
    });

    it('ignores any amount the client sends: the pay body must be empty', async () => {
      const harness = await ordersWith(payments.url);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const response = await pay(harness, order.id, alice, 'pay-key-amount').send({ amount: 1 });
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('unknown_field');
      expect(await chargesFor(order.id)).toHaveLength(0);
    });

    it('replays the same result for the same key on a paid order, and refuses another key with 409', async () => {
      const harness = await ordersWith(payments.url);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const first = await pay(harness, order.id, alice, 'pay-key-replay');
      const again = await pay(harness, order.id, alice, 'pay-key-replay');
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const other = await pay(harness, order.id, alice, 'pay-key-other');
      expect(other.status).toBe(409);
      expect(errorCode(other)).toBe('order_already_paid');
      expect(await chargesFor(order.id)).toHaveLength(1);
    });

    it('charges once under 50 concurrent pays with the same key', async () => {
      // About exactly-once, not latency: on a loaded machine 50 write transactions in a row on PostgreSQL can
      // outlast the client's 2 s default, and a pay that times out is answered 503 (retry; nothing charged).
      const harness = await ordersWith(payments.url, CONCURRENT_PAYS_TIMEOUT_MS);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => pay(harness, order.id, alice, 'pay-key-concurrent')),
      );
      expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
      expect(await chargesFor(order.id)).toHaveLength(1);
      expect(await orderStatus(harness, order.id)).toBe('paid');
    }, 120_000);

    it('refuses the idempotency key when it is missing or malformed', async () => {
      const harness = await ordersWith(payments.url);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      for (const key of ['short', 'x'.repeat(129), 'has space', 'a,b,c,d,e,f']) {
        const response = await pay(harness, order.id, alice, key);
        expect(errorCode(response)).toBe('invalid_idempotency_key');
      }
      const missing = await request(harness.app)
        .post(`/orders/${order.id}/pay`)
        .set('Authorization', `Bearer ${alice}`);
      expect(missing.status).toBe(400);
      expect(errorCode(missing)).toBe('invalid_idempotency_key');
    });

    it('lets an admin refund a paid order through payments, capped at the total', async () => {
      const harness = await ordersWith(payments.url);
      const alice = await harness.userToken('alice');
      const carol = await harness.userToken('carol', { scope: 'orders admin' });
      const order = await newOrder(harness, alice);
      await pay(harness, order.id, alice, 'pay-key-refund');
      const refund = (key: string, body?: object): request.Test => {
        const call = request(harness.app)
          .post(`/admin/orders/${order.id}/refund`)
          .set('Authorization', `Bearer ${carol}`)
          .set('Idempotency-Key', key);
        return body === undefined ? call : call.send(body);
      };
      const partial = await refund('refund-key-1', { amount: 1000 });
      expect(partial.status).toBe(201);
      expect(partial.body).toMatchObject({
        refund: { amount: 1000, currency: 'EUR' },
        order: { id: order.id, status: 'paid', refundedAmount: 1000, owner: 'alice' },
      });
      expect((await refund('refund-key-1', { amount: 1000 })).body).toEqual(partial.body);
      const tooMuch = await refund('refund-key-2', { amount: order.total });
      expect(errorCode(tooMuch)).toBe('refund_exceeds_order');
      const rest = await refund('refund-key-3');
      expect(rest.status).toBe(201);
      expect(rest.body).toMatchObject({ order: { status: 'refunded', refundedAmount: order.total } });
      expect(errorCode(await refund('refund-key-4'))).toBe('order_not_refundable');
      expect(harness.exchanges.at(-1)).toEqual({ subject: 'carol', scope: 'admin' });
      const charge = (await chargesFor(order.id))[0];
      expect(charge?.['refunded_amount']).toBe(order.total);
    });

    it('refuses to refund an unpaid order with 409, without calling payments', async () => {
      const harness = await ordersWith(payments.url);
      const alice = await harness.userToken('alice');
      const carol = await harness.userToken('carol', { scope: 'orders admin' });
      const order = await newOrder(harness, alice);
      const response = await request(harness.app)
        .post(`/admin/orders/${order.id}/refund`)
        .set('Authorization', `Bearer ${carol}`)
        .set('Idempotency-Key', 'refund-unpaid');
      expect(response.status).toBe(409);
      expect(errorCode(response)).toBe('order_not_refundable');
      expect(harness.exchanges).toHaveLength(0);
    });
  });

  describe('when payments fails', () => {
    it('keeps the order unpaid on a 500, answers 503 without upstream details, and a retry with the same key pays once', async () => {
      const failing = await failingPayments();
      servers.push(failing);
      const broken = await ordersWith(failing.url);
      const alice = await broken.userToken('alice');
      const order = await newOrder(broken, alice);
      const failed = await pay(broken, order.id, alice, 'pay-key-retry');
      expect(failed.status).toBe(503);
      expect(errorCode(failed)).toBe('payment_unavailable');
      expect(JSON.stringify(failed.body)).not.toMatch(/10\.0\.0\.7|internal_error|127\.0\.0\.1/);
      expect(await orderStatus(broken, order.id)).toBe('pending_payment');
      const attempt = await broken.db.get('SELECT outcome, failure_reason FROM payment_attempts');
      expect(attempt).toEqual({ outcome: 'failed', failure_reason: 'payments_unavailable' });

      // The same database, now with payments back: the retry with the same key succeeds, exactly once.
      const { createApp } = await import('../../src/app.js');
      const { createPaymentsClient } = await import('../../src/clients/payments-client.js');
      const { standInExchanger } = await import('../support/harness.js');
      const app = createApp({
        logger: createLogger({ service: 'orders', level: 'silent' }),
        verifier: createTokenVerifier({
          issuer: TEST_ISSUER,
          audience: 'orders',
          algorithms: ['ES256'],
          jwks: issuer.jwks,
        }),
        db: broken.db,
        tokenExchanger: standInExchanger(issuer),
        payments: createPaymentsClient({ baseUrl: payments.url }),
      });
      const retried = await request(app)
        .post(`/orders/${order.id}/pay`)
        .set('Authorization', `Bearer ${alice}`)
        .set('Idempotency-Key', 'pay-key-retry');
      expect(retried.status).toBe(200);
      expect(field(retried, 'status')).toBe('paid');
      expect(await chargesFor(order.id)).toHaveLength(1);
    });

    it('keeps the order unpaid when payments hangs past the deadline, and answers 503', async () => {
      const hanging = await hangingPayments();
      servers.push(hanging);
      const harness = await ordersWith(hanging.url, 300);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const started = Date.now();
      const response = await pay(harness, order.id, alice, 'pay-key-hang');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(response.status).toBe(503);
      expect(errorCode(response)).toBe('payment_unavailable');
      expect(hanging.hits()).toBe(1);
      expect(await orderStatus(harness, order.id)).toBe('pending_payment');
    });

    it('answers 503 when the token exchange fails, and never calls payments', async () => {
      const harness = await createOrdersHarness({
        database: await databases.next(),
        issuer,
        paymentsUrl: payments.url,
        tokenExchanger: {
          exchange: async () => {
            const { TokenExchangeError } = await import('@airlock/workload-identity');
            throw new TokenExchangeError('exchange_unreachable', 'auth down');
          },
        },
      });
      harnesses.push(harness);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const response = await pay(harness, order.id, alice, 'pay-key-noauth');
      expect(response.status).toBe(503);
      expect(await chargesFor(order.id)).toHaveLength(0);
      expect(await orderStatus(harness, order.id)).toBe('pending_payment');
    });

    it('answers 502 payment_failed when payments refuses the charge', async () => {
      const refusing = await listenOnLoopback((_req, res) => {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'charge_mismatch', message: 'x' } }));
      });
      servers.push(refusing);
      const harness = await ordersWith(refusing.url);
      const alice = await harness.userToken('alice');
      const order = await newOrder(harness, alice);
      const response = await pay(harness, order.id, alice, 'pay-key-refused');
      expect(response.status).toBe(502);
      expect(errorCode(response)).toBe('payment_failed');
      expect(JSON.stringify(response.body)).not.toContain('charge_mismatch');
    });
  });
});
