// POST /charges, the happy path: a charge, and idempotency (replay, reuse, exactly once under concurrency).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';
import { errorCode, field } from '@airlock/testing/http';
import { chargeBody, countRows, useChargesFixture } from './support/fixtures.js';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const fixture = useChargesFixture(engine);
  const { charge, chargeRows } = fixture;

  describe('POST /charges: happy path', () => {
    it('charges an order for the user and answers 201 with the charge', async () => {
      const response = await charge(chargeBody());
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^ch_[0-9a-f-]{36}$/),
        orderId: '7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
        amount: 2599,
        currency: 'EUR',
        status: 'succeeded',
        refundedAmount: 0,
        createdAt: expect.any(String),
      });
      const row = await fixture.harness.db.get('SELECT user_sub, payment_method FROM charges');
      expect(row).toEqual({ user_sub: 'alice', payment_method: 'pm_fake_visa' });
    });
  });

  describe('POST /charges: idempotency', () => {
    it('replays the same status and body for the same key and body', async () => {
      const first = await charge(chargeBody());
      const second = await charge({
        paymentMethod: 'pm_fake_visa',
        currency: 'EUR',
        amount: 2599,
        orderId: chargeBody()['orderId'],
      });
      expect(second.status).toBe(first.status);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await chargeRows()).toBe(1);
    });

    it('answers 409 idempotency_key_reused for the same key with a different body', async () => {
      await charge(chargeBody());
      const response = await charge(chargeBody({ amount: 1 }));
      expect(response.status).toBe(409);
      expect(errorCode(response)).toBe('idempotency_key_reused');
      expect(await chargeRows()).toBe(1);
    });

    it('keeps keys apart per user: bob reusing alice’s key does not see her charge', async () => {
      await charge(chargeBody());
      const bob = await fixture.harness.ordersToken({ sub: 'bob' });
      const response = await charge(chargeBody({ orderId: randomUUID() }), 'key-0001', bob);
      expect(response.status).toBe(201);
      expect(await chargeRows()).toBe(2);
    });

    it('returns the existing charge for a new key on an order already charged with the same terms', async () => {
      const first = await charge(chargeBody(), 'key-first');
      const second = await charge(chargeBody(), 'key-second');
      expect(second.status).toBe(200);
      expect(field(second, 'id')).toBe(field(first, 'id'));
      expect(await chargeRows()).toBe(1);
    });

    it('answers 409 charge_mismatch for an order already charged with another amount, currency or user', async () => {
      await charge(chargeBody(), 'key-first');
      const bob = await fixture.harness.ordersToken({ sub: 'bob' });
      for (const [body, bearer] of [
        [chargeBody({ amount: 1 }), fixture.token],
        [chargeBody({ currency: 'USD' }), fixture.token],
        [chargeBody(), bob],
      ] as const) {
        const response = await charge(body, `key-${randomUUID()}`, bearer);
        expect(response.status).toBe(409);
        expect(errorCode(response)).toBe('charge_mismatch');
      }
      expect(await chargeRows()).toBe(1);
    });

    it('does not record failures: a key whose request failed validation can be used again', async () => {
      expect((await charge(chargeBody({ amount: -1 }))).status).toBe(400);
      expect((await charge(chargeBody())).status).toBe(201);
    });

    it('creates exactly one charge under 50 concurrent identical requests', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => charge(chargeBody(), 'key-concurrent')),
      );
      expect(new Set(responses.map((response) => response.status))).toEqual(new Set([201]));
      expect(new Set(responses.map((response) => field(response, 'id'))).size).toBe(1);
      expect(await chargeRows()).toBe(1);
      expect(await countRows(fixture.harness, 'idempotency_records')).toBe(1);
    });

    it('creates exactly one charge for one order under 50 concurrent requests with different keys', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, index) => charge(chargeBody(), `key-distinct-${index}`)),
      );
      expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
      expect(responses.filter((response) => response.status === 200)).toHaveLength(49);
      expect(new Set(responses.map((response) => field(response, 'id'))).size).toBe(1);
      expect(await chargeRows()).toBe(1);
    });
  });
});
