// POST /refunds, the happy path: whole and partial refunds, idempotent.
import { describe, expect, it } from '@jest/globals';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';
import { errorCode } from '@airlock/testing/http';
import { useRefundsFixture } from './support/fixtures.js';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const fixture = useRefundsFixture(engine);
  const { refund } = fixture;

  describe('POST /refunds: happy path', () => {
    it('refunds the whole charge when no amount is given', async () => {
      const response = await refund({ chargeId: fixture.chargeId });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^re_/),
        chargeId: fixture.chargeId,
        amount: 5000,
        currency: 'EUR',
        status: 'succeeded',
        createdAt: expect.any(String),
      });
      const row = await fixture.harness.db.get(
        'SELECT refunded_amount, requested_by FROM charges JOIN refunds ON refunds.charge_id = charges.id',
      );
      expect(row).toEqual({ refunded_amount: 5000, requested_by: 'carol' });
    });

    it('refunds in parts up to the charged amount', async () => {
      expect((await refund({ chargeId: fixture.chargeId, amount: 2000 }, 'refund-a')).status).toBe(201);
      expect((await refund({ chargeId: fixture.chargeId, amount: 3000 }, 'refund-b')).status).toBe(201);
      const again = await refund({ chargeId: fixture.chargeId, amount: 1 }, 'refund-c');
      expect(again.status).toBe(409);
      expect(errorCode(again)).toBe('charge_fully_refunded');
    });

    it('replays the same refund for the same key and body, and refuses the key with another body', async () => {
      const first = await refund({ chargeId: fixture.chargeId, amount: 1000 });
      const replay = await refund({ chargeId: fixture.chargeId, amount: 1000 });
      expect(replay.status).toBe(201);
      expect(replay.body).toEqual(first.body);
      const reused = await refund({ chargeId: fixture.chargeId, amount: 999 });
      expect(reused.status).toBe(409);
      expect(errorCode(reused)).toBe('idempotency_key_reused');
      const row = await fixture.harness.db.get('SELECT refunded_amount FROM charges');
      expect(row?.['refunded_amount']).toBe(1000);
    });
  });

  it('never refunds more than the charge under 20 concurrent partial refunds with different keys', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        refund({ chargeId: fixture.chargeId, amount: 1000 }, `refund-concurrent-${String(index)}`),
      ),
    );
    expect(responses.filter((response) => response.status === 201)).toHaveLength(5);
    expect(new Set(responses.filter((response) => response.status !== 201).map(errorCode))).toEqual(
      new Set(['charge_fully_refunded']),
    );
    const row = await fixture.harness.db.get('SELECT refunded_amount FROM charges');
    expect(row?.['refunded_amount']).toBe(5000);
  });
});
