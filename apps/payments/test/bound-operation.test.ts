// Issue 11, finding 7: a payments token is worth one operation, once. The attack run replayed the token orders
// obtained to pay order A straight at payments: it charged another order, 1 cent, and an order that does not
// exist (201 each), and the owner's real payment then failed for good. Each is refused now, nothing is charged,
// and the owner's payment still succeeds afterwards.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorCode, field } from '@airlock/testing/http';

import { UsedTokens } from '../src/used-tokens.js';
import { chargeBody, countRows } from './support/fixtures.js';
import { createPaymentsHarness, operationOfBody } from './support/harness.js';
import type { PaymentsHarness } from './support/harness.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let harness: PaymentsHarness;
  beforeEach(async () => {
    harness = await createPaymentsHarness(undefined, await databases.next());
  });
  afterEach(async () => {
    await harness.close();
  });

  const orderA = chargeBody({ orderId: randomUUID(), amount: 2599 });

  /** The token orders obtains from auth to pay order A: alice's, bound to that charge. */
  async function tokenForOrderA(): Promise<string> {
    return harness.boundTo(await harness.ordersToken(), operationOfBody('/charges', orderA));
  }

  function charge(token: string, body: Record<string, unknown>, key = `key-${randomUUID()}`) {
    return request(harness.app)
      .post('/charges')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', key)
      .send(body);
  }

  const chargeRows = () => countRows(harness, 'charges');

  describe('POST /charges with a token bound to one charge', () => {
    it.each([
      ['another order', { orderId: randomUUID() }],
      ['the same order for 1 cent', { amount: 1 }],
      ['the same order in another currency', { currency: 'USD' }],
      ['an order that does not exist', { orderId: '00000000-0000-4000-8000-000000000000' }],
    ])('refuses %s with 403 operation_mismatch and charges nothing', async (_case, overrides) => {
      const response = await charge(await tokenForOrderA(), { ...orderA, ...overrides });
      expect({ status: response.status, code: errorCode(response) }).toEqual({
        status: 403,
        code: 'operation_mismatch',
      });
      expect(await chargeRows()).toBe(0);
    });

    it('refuses a second use of the same token with 403 token_already_used, even for the same charge', async () => {
      const token = await tokenForOrderA();
      expect((await charge(token, orderA, 'key-first')).status).toBe(201);
      for (const key of ['key-first', 'key-second']) {
        const again = await charge(token, orderA, key);
        expect({ status: again.status, code: errorCode(again) }).toEqual({
          status: 403,
          code: 'token_already_used',
        });
      }
      expect(await chargeRows()).toBe(1);
    });

    it('refuses a token that names no charge: none at all, a refund, or another type (403 operation_not_bound)', async () => {
      const plain = await harness.ordersToken();
      const refund = await harness.boundTo(plain, {
        ...operationOfBody('/charges', orderA),
        actions: ['refund'],
      });
      const other = await harness.boundTo(plain, { ...operationOfBody('/charges', orderA), type: 'other' });
      const twoDetails = await harness.ordersToken({
        authorization_details: [operationOfBody('/charges', orderA), operationOfBody('/charges', orderA)],
      });
      for (const token of [plain, refund, other, twoDetails]) {
        const response = await charge(token, orderA);
        expect({ status: response.status, code: errorCode(response) }).toEqual({
          status: 403,
          code: 'operation_not_bound',
        });
      }
      expect(await chargeRows()).toBe(0);
    });

    it("still lets the owner's real payment through after every replay was refused", async () => {
      for (const overrides of [
        { orderId: randomUUID() },
        { amount: 1 },
        { orderId: randomUUID(), amount: 1 },
      ]) {
        expect((await charge(await tokenForOrderA(), { ...orderA, ...overrides })).status).toBe(403);
      }
      const paid = await charge(await tokenForOrderA(), orderA);
      expect(paid.status).toBe(201);
      expect(paid.body).toMatchObject({ orderId: orderA['orderId'], amount: 2599, currency: 'EUR' });
    });
  });

  describe('POST /refunds with a token bound to one refund', () => {
    let chargeId = '';
    let admin = '';
    beforeEach(async () => {
      const created = await charge(await tokenForOrderA(), orderA);
      chargeId = String(field(created, 'id'));
      admin = await harness.ordersToken({ sub: 'carol', scope: 'admin' });
    });

    function refund(token: string, body: Record<string, unknown>) {
      return request(harness.app)
        .post('/refunds')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', `refund-${randomUUID()}`)
        .send(body);
    }

    const refundOf = (amount: number, id = chargeId) =>
      harness.boundTo(
        admin,
        operationOfBody(
          '/refunds',
          { chargeId: id, amount },
          { refundable: 0, currency: 'EUR', orderId: String(orderA['orderId']) },
        ),
      );

    it('refuses another amount, another charge, or the rest when the token names a part (operation_mismatch)', async () => {
      const token = await refundOf(1000);
      for (const body of [
        { chargeId, amount: 2599 },
        { chargeId: `ch_${randomUUID()}`, amount: 1000 },
        { chargeId },
      ]) {
        const response = await refund(await refundOf(1000), body);
        expect({ status: response.status, code: errorCode(response) }).toEqual({
          status: 403,
          code: 'operation_mismatch',
        });
      }
      expect((await refund(token, { chargeId, amount: 1000 })).status).toBe(201);
      const again = await refund(token, { chargeId, amount: 1000 });
      expect({ status: again.status, code: errorCode(again) }).toEqual({
        status: 403,
        code: 'token_already_used',
      });
    });

    it("refuses a refund token that names another order than the charge's (operation_mismatch)", async () => {
      const otherOrder = await harness.boundTo(
        admin,
        operationOfBody(
          '/refunds',
          { chargeId, amount: 1000 },
          { refundable: 0, currency: 'EUR', orderId: randomUUID() },
        ),
      );
      const response = await refund(otherOrder, { chargeId, amount: 1000 });
      expect({ status: response.status, code: errorCode(response) }).toEqual({
        status: 403,
        code: 'operation_mismatch',
      });
    });

    it('refuses a refund token at /charges and a charge token at /refunds (operation_not_bound)', async () => {
      const both = await harness.ordersToken({ sub: 'carol', scope: 'orders admin' });
      const chargeToken = await harness.boundTo(both, operationOfBody('/charges', orderA));
      const refundToken = await harness.boundTo(
        both,
        operationOfBody('/refunds', { chargeId, amount: 1000 }),
      );
      const atRefunds = await refund(chargeToken, { chargeId, amount: 2599 });
      const atCharges = await charge(refundToken, { ...orderA, orderId: randomUUID() });
      expect([errorCode(atRefunds), errorCode(atCharges)]).toEqual([
        'operation_not_bound',
        'operation_not_bound',
      ]);
    });
  });

  describe('UsedTokens', () => {
    it('remembers a jti until its token could no longer verify, then forgets it', () => {
      let now = 1_000_000;
      const used = new UsedTokens({ now: () => now });
      expect(used.use('a', 1_030)).toBe(true);
      expect(used.use('a', 1_030)).toBe(false);
      now = 1_034_000;
      expect(used.use('a', 1_030)).toBe(false);
      now = 1_035_001;
      expect(used.use('a', 1_030)).toBe(true);
    });

    it('is bounded: full of live tokens, it refuses (503) rather than forget one early', () => {
      let now = 0;
      const used = new UsedTokens({ maxEntries: 2, now: () => now });
      expect(used.use('a', 30)).toBe(true);
      expect(used.use('b', 60)).toBe(true);
      expect(() => used.use('c', 60)).toThrow(expect.objectContaining({ status: 503 }));
      now = 36_000;
      expect(used.use('c', 60)).toBe(true);
      expect(used.size).toBe(2);
    });
  });
});
