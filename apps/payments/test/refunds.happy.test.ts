// POST /refunds, the happy path: whole and partial refunds, idempotent.
import { describe, expect, it } from '@jest/globals';
import { errorCode } from '@airlock/testing/http';
import { useRefundsFixture } from './support/fixtures.js';

const fixture = useRefundsFixture();
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
    const row = fixture.harness.db
      .prepare(
        'SELECT refunded_amount, requested_by FROM charges JOIN refunds ON refunds.charge_id = charges.id',
      )
      .get();
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
    const row = fixture.harness.db.prepare('SELECT refunded_amount FROM charges').get();
    expect(row?.['refunded_amount']).toBe(1000);
  });
});
