// The per-test setups the charges and refunds files share: a fresh payments app on a fresh database for each
// test, a token as orders would send it, and one request builder per route.
import { afterEach, beforeEach } from '@jest/globals';
import request from 'supertest';
import { useTestDatabases } from '@airlock/testing/database-engines';
import type { DatabaseEngineName } from '@airlock/testing/database-engines';
import { field } from '@airlock/testing/http';

import { createPaymentsHarness, operationOfBody } from './harness.js';
import type { PaymentsHarness } from './harness.js';

export interface ChargesFixture {
  readonly harness: PaymentsHarness;
  /** A token orders would send for alice's payment. */
  readonly token: string;
  /** Sends `bearer`'s claims bound to this very charge, as orders would (a fresh single-use token). */
  readonly charge: (body: unknown, key?: string | null, bearer?: string) => Promise<request.Response>;
  readonly chargeRows: () => Promise<number>;
}

export interface RefundsFixture {
  readonly harness: PaymentsHarness;
  /** A token orders would send for carol, an admin. */
  readonly adminToken: string;
  /** A charge of 50.00 EUR made before each test. */
  readonly chargeId: string;
  /** Sends `bearer`'s claims bound to this very refund, as orders would (a fresh single-use token). */
  readonly refund: (body: unknown, key?: string, bearer?: string) => Promise<request.Response>;
}

export const chargeBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  orderId: '7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
  amount: 2599,
  currency: 'EUR',
  paymentMethod: 'pm_fake_visa',
  ...overrides,
});

/** The number in `SELECT CAST(COUNT(*) AS INTEGER) AS n ...`, on either engine. */
export async function countRows(
  harness: PaymentsHarness,
  table: 'charges' | 'idempotency_records',
): Promise<number> {
  const row = await harness.db.get(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM ${table}`);
  return Number(row?.['n']);
}

/**
 * A fresh payments app on a fresh database of `engine` for each test. Call it inside the file's describe
 * (a server for the engine starts around it); read the fields inside tests, not at load time.
 */
function useHarness(engine: DatabaseEngineName): () => PaymentsHarness {
  const databases = useTestDatabases(engine);
  let harness: PaymentsHarness | undefined;
  beforeEach(async () => {
    harness = await createPaymentsHarness(undefined, await databases.next());
  });
  afterEach(async () => {
    await harness?.close();
  });
  return () => {
    if (harness === undefined) throw new Error('the fixture is read outside a test');
    return harness;
  };
}

/** Registers the per-test setup of a charges file; read the fields inside tests, not at load time. */
export function useChargesFixture(engine: DatabaseEngineName = 'sqlite'): ChargesFixture {
  const current = useHarness(engine);
  let token = '';
  beforeEach(async () => {
    token = await current().ordersToken();
  });
  return {
    get harness() {
      return current();
    },
    get token() {
      return token;
    },
    charge: async (body, key = 'key-0001', bearer = token) => {
      const bound = await current().boundTo(bearer, operationOfBody('/charges', body));
      const call = request(current().app).post('/charges').set('Authorization', `Bearer ${bound}`);
      if (key !== null) call.set('Idempotency-Key', key);
      return call.send(body as object);
    },
    chargeRows: () => countRows(current(), 'charges'),
  };
}

/** Registers the per-test setup of a refunds file: an admin token and a charge to refund. */
export function useRefundsFixture(engine: DatabaseEngineName = 'sqlite'): RefundsFixture {
  const current = useHarness(engine);
  let adminToken = '';
  let chargeId = '';
  beforeEach(async () => {
    const harness = current();
    adminToken = await harness.ordersToken({ sub: 'carol', scope: 'admin' });
    const body = chargeBody({ amount: 5000 });
    const token = await harness.boundTo(await harness.ordersToken(), operationOfBody('/charges', body));
    const created = await request(harness.app)
      .post('/charges')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'charge-key-1')
      .send(body);
    chargeId = String(field(created, 'id'));
  });
  /** What is left of the charge a refund body names, and its currency, as orders knows them. */
  const chargeTerms = async (body: unknown) => {
    const named =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['chargeId'] : '';
    const row = await current().db.get(
      'SELECT amount - refunded_amount AS refundable, currency, order_id FROM charges WHERE id = ?',
      [String(named)],
    );
    return row === undefined
      ? undefined
      : {
          refundable: Number(row['refundable']),
          currency: String(row['currency']),
          orderId: String(row['order_id']),
        };
  };
  return {
    get harness() {
      return current();
    },
    get adminToken() {
      return adminToken;
    },
    get chargeId() {
      return chargeId;
    },
    refund: async (body, key = 'refund-key-1', bearer = adminToken) => {
      const bound = await current().boundTo(
        bearer,
        operationOfBody('/refunds', body, await chargeTerms(body)),
      );
      return request(current().app)
        .post('/refunds')
        .set('Authorization', `Bearer ${bound}`)
        .set('Idempotency-Key', key)
        .send(body as object);
    },
  };
}
