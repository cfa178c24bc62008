// The database out of reach: payments refuses (generic 500, nothing charged) instead of answering from nowhere,
// and serves again by itself once the database is back, with no restart of payments. What "out of reach" means
// depends on the engine: PostgreSQL's server stops (and /readyz says 503); SQLite's file is write-locked by
// another process for longer than the busy timeout (reads still work, so /readyz stays 200 on SQLite).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DatabaseLocation } from '@airlock/service-kit/database';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';
import type { DatabaseEngineName } from '@airlock/testing/database-engines';
import { errorCode } from '@airlock/testing/http';
import { startPostgresServer } from '@airlock/testing/postgres-server';

import { chargeBody, countRows } from './support/fixtures.js';
import { createPaymentsHarness, operationOfBody } from './support/harness.js';
import type { PaymentsHarness } from './support/harness.js';

/** A database on one engine that a test can take out of reach and bring back. */
interface OutageDatabase {
  readonly location: DatabaseLocation;
  takeDown(): Promise<void>;
  bringBack(): Promise<void>;
  remove(): Promise<void>;
}

async function postgresOutage(): Promise<OutageDatabase> {
  const server = await startPostgresServer();
  return {
    location: { databaseUrl: new URL(await server.createDatabase()), sqliteFile: 'unused' },
    takeDown: () => server.pause(),
    bringBack: () => server.resume(),
    remove: () => server.stop(),
  };
}

function sqliteOutage(): Promise<OutageDatabase> {
  const folder = mkdtempSync(join(tmpdir(), 'airlock-payments-outage-'));
  const sqliteFile = join(folder, 'payments', 'payments.db');
  let holder: DatabaseSync | undefined;
  return Promise.resolve({
    location: { databaseUrl: undefined, sqliteFile },
    takeDown() {
      // Another process's long write (a stuck replica, a backup tool): payments' writers wait out their busy
      // timeout, then fail.
      holder = new DatabaseSync(sqliteFile);
      holder.exec('BEGIN EXCLUSIVE');
      return Promise.resolve();
    },
    bringBack() {
      holder?.exec('ROLLBACK');
      holder?.close();
      holder = undefined;
      return Promise.resolve();
    },
    remove() {
      rmSync(folder, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
}

const OUTAGES: Record<DatabaseEngineName, () => Promise<OutageDatabase>> = {
  postgres: postgresOutage,
  sqlite: sqliteOutage,
};

describe.each(DATABASE_ENGINES)('%s out of reach', (engine) => {
  let database: OutageDatabase;
  let harness: PaymentsHarness;

  beforeAll(async () => {
    database = await OUTAGES[engine]();
    harness = await createPaymentsHarness(undefined, database.location);
  }, 60_000);

  afterAll(async () => {
    await harness.close();
    await database.remove();
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

  it('fails closed while the database is out of reach and recovers when it returns', async () => {
    await database.takeDown();
    try {
      const refused = await charge('outage-key-0001');
      expect(refused.status).toBe(500);
      expect(errorCode(refused)).toBe('internal_error');
      expect(JSON.stringify(refused.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|sqlite|locked/i);
      // Readiness is a read: SQLite's write lock leaves reads working, PostgreSQL's stopped server does not.
      await request(harness.app)
        .get('/readyz')
        .expect(engine === 'postgres' ? 503 : 200);
    } finally {
      await database.bringBack();
    }
    await request(harness.app).get('/readyz').expect(200);
    const charged = await charge('outage-key-0001');
    expect(charged.status).toBe(201);
    expect(await countRows(harness, 'charges')).toBe(1);
  }, 60_000);
});
