// POST /refunds, the error cases: more than the charge, an unknown charge, bad bodies, card data.
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
