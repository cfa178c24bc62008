// Issue 11, finding 12: when a payment step fails for good, orders says why and does not invite a retry that
// cannot succeed. Concurrent refunds that together exceed the order meet the real payments app here.
// Both services on either engine (one database each, as they run).

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp as createPaymentsApp } from '@airlock/payments/app';
import { openPaymentsDatabase } from '@airlock/payments/database';
import { tokenPolicy as paymentsTokenPolicy } from '@airlock/payments/service';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createLogger } from '@airlock/service-kit';
import type { SqlDatabase } from '@airlock/service-kit/database';
import { createTokenVerifier } from '@airlock/token-verification';
import { errorCode, field } from '@airlock/testing/http';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { TestIssuer } from '@airlock/testing/tokens';

import { TokenExchangeError } from '@airlock/workload-identity';
import { createOrdersHarness, standInExchanger } from '../support/harness.js';
import type { PaymentsTokenExchanger } from '../../src/clients/token-exchange-client.js';
import { PAYMENTS_REFUND_SCOPE } from '../../src/routes/admin-orders.refund.js';
import { listenOnLoopback } from '../support/servers.js';
import type { RunningServer } from '../support/servers.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

/** Lets the refunds' token exchanges go on once both have arrived (or after a while, for the failure message). */
const BARRIER_TIMEOUT_MS = 5000;

/**
 * The stand-in exchanger, holding each refund's exchange until `count` of them wait: by then every refund has
 * passed orders' own check, so payments decides the race. Without it, on PostgreSQL the second refund may read
 * the order after the first finished and be refused by orders itself (order_not_refundable).
 */
function refundsMeetAtExchange(issuer: TestIssuer, count: number): PaymentsTokenExchanger {
  const inner = standInExchanger(issuer);
  const waiting: (() => void)[] = [];
  return {
    async exchange(subjectToken, scope, operation) {
      if (scope === PAYMENTS_REFUND_SCOPE) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === count) for (const release of waiting) release();
          setTimeout(resolve, BARRIER_TIMEOUT_MS).unref();
        });
      }
      return inner.exchange(subjectToken, scope, operation);
    },
  };
}

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  let issuer: TestIssuer;
  let paymentsDb: SqlDatabase;
  let payments: RunningServer;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders' });
    paymentsDb = await openPaymentsDatabase(await databases.next());
    payments = await listenOnLoopback(
      createPaymentsApp({
        logger: createLogger({ service: 'payments', level: 'silent' }),
        verifier: createTokenVerifier(
          serviceTokenVerifierOptions({ ...paymentsTokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
        ),
        db: paymentsDb,
      }),
    );
  });
  afterAll(async () => {
    await payments.close();
    await paymentsDb.close();
  });

  describe('payment failures that no retry can fix', () => {
    it('answers the loser of two concurrent full refunds with 409 refund_exceeds_order, not 502', async () => {
      const harness = await createOrdersHarness({
        issuer,
        paymentsUrl: payments.url,
        database: await databases.next(),
        tokenExchanger: refundsMeetAtExchange(issuer, 2),
      });
      try {
        const alice = await harness.userToken('alice');
        const carol = await harness.userToken('carol', { scope: 'orders admin' });
        const created = await request(harness.app)
          .post('/orders')
          .set('Authorization', `Bearer ${alice}`)
          .send({ items: [{ sku: 'tea-sencha', quantity: 1 }] })
          .expect(201);
        const id = String(field(created, 'id'));
        await request(harness.app)
          .post(`/orders/${id}/pay`)
          .set('Authorization', `Bearer ${alice}`)
          .set('Idempotency-Key', 'race-pay-1')
          .expect(200);
        const refund = (key: string) =>
          request(harness.app)
            .post(`/admin/orders/${id}/refund`)
            .set('Authorization', `Bearer ${carol}`)
            .set('Idempotency-Key', key)
            .then((response) => response);
        const answers = await Promise.all([refund('race-refund-1'), refund('race-refund-2')]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
        const loser = answers.find((answer) => answer.status === 409);
        expect(loser === undefined ? undefined : errorCode(loser)).toBe('refund_exceeds_order');
      } finally {
        await harness.close();
      }
    });

    it('answers a pay whose token exchange auth refused (signed out) with 403, without advising a retry', async () => {
      const harness = await createOrdersHarness({
        database: await databases.next(),
        issuer,
        paymentsUrl: payments.url,
        tokenExchanger: {
          exchange: () =>
            Promise.reject(
              new TokenExchangeError('exchange_refused', 'auth refused', { oauthError: 'invalid_grant' }),
            ),
        },
      });
      try {
        const alice = await harness.userToken('alice');
        const created = await request(harness.app)
          .post('/orders')
          .set('Authorization', `Bearer ${alice}`)
          .send({ items: [{ sku: 'tea-sencha', quantity: 1 }] })
          .expect(201);
        const response = await request(harness.app)
          .post(`/orders/${String(field(created, 'id'))}/pay`)
          .set('Authorization', `Bearer ${alice}`)
          .set('Idempotency-Key', 'revoked-pay-1');
        expect(response.status).toBe(403);
        expect(errorCode(response)).toBe('payment_not_authorized');
        expect(JSON.stringify(response.body)).not.toMatch(/retry/i);
      } finally {
        await harness.close();
      }
    });
  });
});
