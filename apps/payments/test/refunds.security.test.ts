// POST /refunds, the security cases of its own: admins only, and only through orders.
import { describe, expect, it } from '@jest/globals';
import { errorCode } from '@airlock/testing/http';
import { useRefundsFixture } from './support/fixtures.js';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const fixture = useRefundsFixture(engine);
  const { refund } = fixture;

  describe('POST /refunds: security', () => {
    it('refuses a token without the admin scope with 403 insufficient_scope', async () => {
      const response = await refund(
        { chargeId: fixture.chargeId },
        'refund-key-1',
        await fixture.harness.ordersToken(),
      );
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('insufficient_scope');
      const row = await fixture.harness.db.get('SELECT refunded_amount FROM charges');
      expect(row?.['refunded_amount']).toBe(0);
    });

    it('refuses an admin token that does not come through orders', async () => {
      const direct = await fixture.harness.issuer.mint({
        claims: { sub: 'carol', scope: 'admin', act: { sub: 'gateway' } },
      });
      const response = await refund({ chargeId: fixture.chargeId }, 'refund-key-1', direct);
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('caller_not_allowed');
    });
  });
});
