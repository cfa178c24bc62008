// POST /refunds, the security cases of its own: admins only, and only through orders.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorCode, field } from '@airlock/testing/http';

import { createPaymentsHarness } from './support/harness.js';
import type { PaymentsHarness } from './support/harness.js';

let harness: PaymentsHarness;
let adminToken: string;
let chargeId: string;

beforeEach(async () => {
  harness = await createPaymentsHarness();
  adminToken = await harness.ordersToken({ sub: 'carol', scope: 'admin' });
  const created = await request(harness.app)
    .post('/charges')
    .set('Authorization', `Bearer ${await harness.ordersToken()}`)
    .set('Idempotency-Key', 'charge-key-1')
    .send({
      orderId: '7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
      amount: 5000,
      currency: 'EUR',
      paymentMethod: 'pm_fake_visa',
    });
  chargeId = String(field(created, 'id'));
});
afterEach(() => {
  harness.close();
});

function refund(body: unknown, key = 'refund-key-1', bearer = adminToken): request.Test {
  return request(harness.app)
    .post('/refunds')
    .set('Authorization', `Bearer ${bearer}`)
    .set('Idempotency-Key', key)
    .send(body as object);
}

describe('POST /refunds: security', () => {
  it('refuses a token without the admin scope with 403 insufficient_scope', async () => {
    const response = await refund({ chargeId }, 'refund-key-1', await harness.ordersToken());
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('insufficient_scope');
    const row = harness.db.prepare('SELECT refunded_amount FROM charges').get();
    expect(row?.['refunded_amount']).toBe(0);
  });

  it('refuses an admin token that does not come through orders', async () => {
    const direct = await harness.issuer.mint({
      claims: { sub: 'carol', scope: 'admin', act: { sub: 'gateway' } },
    });
    const response = await refund({ chargeId }, 'refund-key-1', direct);
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('caller_not_allowed');
  });
});
