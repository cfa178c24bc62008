// POST /refunds, the error cases: more than the charge, an unknown charge, bad bodies, card data.
import { describe, expect, it } from '@jest/globals';
import { errorCode } from '@airlock/testing/http';
import { useRefundsFixture } from './support/fixtures.js';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const fixture = useRefundsFixture(engine);
  const { refund } = fixture;

  describe('POST /refunds: errors', () => {
    it('refuses a refund larger than the charge with 409 refund_exceeds_charge', async () => {
      const response = await refund({ chargeId: fixture.chargeId, amount: 5001 });
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
      const response = await refund({ chargeId: fixture.chargeId, ...overrides });
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('invalid_request');
    });

    it('refuses card data', async () => {
      const response = await refund({ chargeId: fixture.chargeId, cvc: '123' });
      expect(errorCode(response)).toBe('card_data_refused');
    });
  });
});
