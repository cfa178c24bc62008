// Orders' database: numbered migrations (with the seeded catalog) recorded once, refusal of a newer schema,
// and orders that survive a restart on the same file.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { MigrationError, openSqliteDatabase, runMigrations } from '@airlock/service-kit/sqlite';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';
import { field } from '@airlock/testing/http';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';

import { createApp } from '../src/app.js';
import { createPaymentsClient } from '../src/clients/payments-client.js';
import { openOrdersDatabase } from '../src/db/database.js';
import { ordersMigrations } from '../src/db/migrations.js';
import { tokenPolicy } from '../src/service.js';
import { standInExchanger } from './support/harness.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-orders-db-'));
  file = join(dir, 'orders', 'orders.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('applies 1, 2, 3 once, records them, and seeds the catalog once', async () => {
    const db = openSqliteDatabase(file, ordersMigrations.sqlite);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(versions.map((row) => row['version'])).toEqual(
      ordersMigrations.sqlite.map((migration) => migration.version),
    );
    expect(runMigrations(db, ordersMigrations.sqlite)).toEqual([]);
    db.close();
    const reopened = await openOrdersDatabase({ databaseUrl: undefined, sqliteFile: file });
    expect((await reopened.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM catalog_items'))?.['n']).toBe(4);
    await reopened.close();
  });

  it('keeps the database file private to its owner', async () => {
    await (await openOrdersDatabase({ databaseUrl: undefined, sqliteFile: file })).close();
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('refuses a database written by a newer build', async () => {
    await (await openOrdersDatabase({ databaseUrl: undefined, sqliteFile: file })).close();
    const raw = new DatabaseSync(file);
    raw
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(42, 'future', 'now');
    raw.close();
    await expect(openOrdersDatabase({ databaseUrl: undefined, sqliteFile: file })).rejects.toThrow(
      MigrationError,
    );
  });

  it('upgrades a database from an older version', () => {
    const db = new DatabaseSync(file.replace('orders.db', 'old.db').replace('/orders/', '/'));
    runMigrations(db, ordersMigrations.sqlite.slice(0, 1));
    expect(runMigrations(db, ordersMigrations.sqlite)).toEqual([2, 3]);
    db.close();
  });
});

describe.each(DATABASE_ENGINES)('restart on %s', (engine) => {
  const databases = useTestDatabases(engine);

  it('serves an order created before the restart, to its owner only', async () => {
    const issuer = await createTestIssuer({ audience: 'orders' });
    const deps = {
      logger: createLogger({ service: 'orders', level: 'silent' }),
      verifier: createTokenVerifier(
        serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
      ),
      tokenExchanger: standInExchanger(issuer),
      payments: createPaymentsClient({ baseUrl: new URL('http://127.0.0.1:9') }),
    };
    const alice = await issuer.mint({ claims: { sub: 'alice', scope: 'orders', act: { sub: 'gateway' } } });

    const location = await databases.next();
    const before = await openOrdersDatabase(location);
    const created = await request(createApp({ ...deps, db: before }))
      .post('/orders')
      .set('Authorization', `Bearer ${alice}`)
      .send({ items: [{ sku: 'notebook-a5', quantity: 4 }] });
    await before.close();

    const after = await openOrdersDatabase(location);
    const app = createApp({ ...deps, db: after });
    const shown = await request(app)
      .get(`/orders/${String(field(created, 'id'))}`)
      .set('Authorization', `Bearer ${alice}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(created.body);
    const bob = await issuer.mint({ claims: { sub: 'bob', scope: 'orders', act: { sub: 'gateway' } } });
    expect(
      (
        await request(app)
          .get(`/orders/${String(field(created, 'id'))}`)
          .set('Authorization', `Bearer ${bob}`)
      ).status,
    ).toBe(404);
    await after.close();
  });
});
