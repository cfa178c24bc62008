// POST /refunds: admins only, capped by the charge, idempotent.
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

describe('POST /refunds: errors', () => {
  it('refuses a refund larger than the charge with 409 refund_exceeds_charge', async () => {
    const response = await refund({ chargeId, amount: 5001 });
    expect(response.status).toBe(409);
    expect(errorCode(response)).toBe('refund_exceeds_charge');
  });

  it('answers 404 for an unknown charge', async () => {
    const response = await refund({ chargeId: 'ch_00000000-0000-4000-8000-000000000000' });
    expect(response.status).toBe(404);
    expect(errorCode(response)).toBe('not_found');
  });

  it.each([
    ['negative amount', { amount: -1 }],
    ['zero amount', { amount: 0 }],
    ['malformed charge id', { chargeId: '../charges' }],
  ])('refuses a %s with 400', async (_name, overrides) => {
    const response = await refund({ chargeId, ...overrides });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('invalid_request');
  });

  it('refuses card data', async () => {
    const response = await refund({ chargeId, cvc: '123' });
    expect(errorCode(response)).toBe('card_data_refused');
  });
});

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
