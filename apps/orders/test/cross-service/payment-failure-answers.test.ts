// Issue 11, finding 12: when a payment step fails for good, orders says why and does not invite a retry that
// cannot succeed. Concurrent refunds that together exceed the order meet the real payments app here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
import { createOrdersHarness } from '../support/harness.js';
import { listenOnLoopback } from '../support/servers.js';
import type { RunningServer } from '../support/servers.js';

let issuer: TestIssuer;
let paymentsDir: string;
let paymentsDb: SqlDatabase;
let payments: RunningServer;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders' });
  paymentsDir = mkdtempSync(join(tmpdir(), 'airlock-refund-race-'));
  paymentsDb = await openPaymentsDatabase({
    databaseUrl: undefined,
    sqliteFile: join(paymentsDir, 'payments', 'payments.db'),
  });
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
  rmSync(paymentsDir, { recursive: true, force: true });
});

describe('payment failures that no retry can fix', () => {
  it('answers the loser of two concurrent full refunds with 409 refund_exceeds_order, not 502', async () => {
    const harness = await createOrdersHarness({ issuer, paymentsUrl: payments.url });
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
