// PostgreSQL down: payments refuses (generic 500, nothing charged, /readyz 503) instead of answering from
// nowhere, and serves again by itself once the server is back, with no restart of payments.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorCode } from '@airlock/testing/http';
import { startPostgresServer } from '@airlock/testing/postgres-server';
import type { PostgresServer } from '@airlock/testing/postgres-server';

import { chargeBody, countRows } from './support/fixtures.js';
import { createPaymentsHarness, operationOfBody } from './support/harness.js';
import type { PaymentsHarness } from './support/harness.js';

let server: PostgresServer;
let harness: PaymentsHarness;

beforeAll(async () => {
  server = await startPostgresServer();
  const databaseUrl = new URL(await server.createDatabase());
  harness = await createPaymentsHarness(undefined, { databaseUrl, sqliteFile: 'unused' });
}, 60_000);

afterAll(async () => {
  await harness.close();
  await server.stop();
});

/** A charge as orders sends it: a fresh payments token bound to this very charge (single-use). */
async function charge(key: string): Promise<request.Response> {
  const body = chargeBody();
  const token = await harness.boundTo(await harness.ordersToken(), operationOfBody('/charges', body));
  return request(harness.app)
    .post('/charges')
    .set('Authorization', `Bearer ${token}`)
    .set('Idempotency-Key', key)
    .send(body);
}

describe('PostgreSQL outage', () => {
  it('fails closed while the server is down and recovers when it returns', async () => {
    await server.pause();
    try {
      const refused = await charge('outage-key-0001');
      expect(refused.status).toBe(500);
      expect(errorCode(refused)).toBe('internal_error');
      expect(JSON.stringify(refused.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      await request(harness.app).get('/readyz').expect(503);
    } finally {
      await server.resume();
    }
    await request(harness.app).get('/readyz').expect(200);
    const charged = await charge('outage-key-0001');
    expect(charged.status).toBe(201);
    expect(await countRows(harness, 'charges')).toBe(1);
  }, 60_000);
});
