// POST /refunds, the happy path: whole and partial refunds, idempotent.
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

describe('POST /refunds: happy path', () => {
  it('refunds the whole charge when no amount is given', async () => {
    const response = await refund({ chargeId });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^re_/),
      chargeId,
      amount: 5000,
      currency: 'EUR',
      status: 'succeeded',
      createdAt: expect.any(String),
    });
    const row = harness.db
      .prepare(
        'SELECT refunded_amount, requested_by FROM charges JOIN refunds ON refunds.charge_id = charges.id',
      )
      .get();
    expect(row).toEqual({ refunded_amount: 5000, requested_by: 'carol' });
  });

  it('refunds in parts up to the charged amount', async () => {
    expect((await refund({ chargeId, amount: 2000 }, 'refund-a')).status).toBe(201);
    expect((await refund({ chargeId, amount: 3000 }, 'refund-b')).status).toBe(201);
    const again = await refund({ chargeId, amount: 1 }, 'refund-c');
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe('charge_fully_refunded');
  });

  it('replays the same refund for the same key and body, and refuses the key with another body', async () => {
    const first = await refund({ chargeId, amount: 1000 });
    const replay = await refund({ chargeId, amount: 1000 });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const reused = await refund({ chargeId, amount: 999 });
    expect(reused.status).toBe(409);
    expect(errorCode(reused)).toBe('idempotency_key_reused');
    const row = harness.db.prepare('SELECT refunded_amount FROM charges').get();
    expect(row?.['refunded_amount']).toBe(1000);
  });
});
