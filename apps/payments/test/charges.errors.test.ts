// POST /charges, the error cases: validation, unknown fields, bodies that are not JSON, and card data refused.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorCode } from '@airlock/testing/http';
import { chargeBody, useChargesFixture } from './support/fixtures.js';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const fixture = useChargesFixture(engine);
  const { charge, chargeRows } = fixture;

  describe('POST /charges: errors', () => {
    it.each([
      ['missing', null],
      ['too short', 'short'],
      ['too long', 'k'.repeat(129)],
      ['bad characters', 'key with spaces'],
    ])('refuses an Idempotency-Key that is %s with 400 invalid_idempotency_key', async (_name, key) => {
      const response = await charge(chargeBody(), key);
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('invalid_idempotency_key');
    });

    it.each([
      ['zero amount', { amount: 0 }],
      ['negative amount', { amount: -100 }],
      ['fractional amount', { amount: 25.99 }],
      ['amount as a string', { amount: '2599' }],
      ['absurd amount', { amount: 1e12 }],
      ['unknown currency', { currency: 'BTC' }],
      ['lower-case currency', { currency: 'eur' }],
      ['order id that is not a UUID', { orderId: '1 OR 1=1' }],
      ['payment method that is not a pm_ reference', { paymentMethod: 'visa' }],
      ['missing field', { paymentMethod: undefined }],
    ])('refuses a %s with 400 invalid_request', async (_name, overrides) => {
      const response = await charge(chargeBody(overrides));
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('invalid_request');
      expect(await chargeRows()).toBe(0);
    });

    it('refuses unknown fields with 400 unknown_field, without echoing them', async () => {
      const response = await charge(chargeBody({ status: 'refunded', userId: 'bob' }));
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('unknown_field');
      expect(JSON.stringify(response.body)).not.toContain('userId');
    });

    it('refuses a body that is not JSON with 415', async () => {
      const response = await request(fixture.harness.app)
        .post('/charges')
        .set('Authorization', `Bearer ${fixture.token}`)
        .set('Idempotency-Key', 'key-0001')
        .set('Content-Type', 'text/plain')
        .send('amount=1');
      expect(response.status).toBe(415);
    });

    it('refuses a JSON array body with 400', async () => {
      const response = await charge([chargeBody()]);
      expect(response.status).toBe(400);
    });
  });

  describe('POST /charges: no card data', () => {
    it.each([
      ['number', { number: '4242424242424242' }],
      ['card_number', { card_number: '4242 4242 4242 4242' }],
      ['cvc', { cvc: '123' }],
      ['cvv', { cvv: '123' }],
      ['pan', { pan: '4242424242424242' }],
      ['exp_month', { exp_month: 12 }],
      ['nested card object', { card: { number: '4242424242424242' } }],
      ['a PAN as the payment method', { paymentMethod: '4242-4242-4242-4242' }],
    ])('refuses %s with 400 card_data_refused and stores nothing', async (_name, overrides) => {
      const response = await charge(chargeBody(overrides));
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('card_data_refused');
      expect(JSON.stringify(response.body)).not.toContain('4242');
      expect(await chargeRows()).toBe(0);
    });
  });
});
