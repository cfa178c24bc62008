// Orders' database on both engines: numbered migrations (with the seeded catalog) recorded once, an older
// database upgraded, refusal of a newer schema, and orders that survive a restart on the same database.
import { statSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { integerColumn, MigrationError, openServiceDatabase } from '@airlock/service-kit/database';
import type { EngineMigrations, SqlDatabase } from '@airlock/service-kit/database';
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

/** The versions schema_migrations records, in order. */
async function recordedVersions(db: SqlDatabase): Promise<number[]> {
  const rows = await db.all('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => integerColumn(row, 'version'));
}

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  const latest = ordersMigrations[engine].map((migration) => migration.version);

  describe('migrations', () => {
    it('applies 1, 2, 3 once, records them, and seeds the catalog once', async () => {
      const location = await databases.next();
      await (await openOrdersDatabase(location)).close();
      const reopened = await openOrdersDatabase(location);
      try {
        expect(await recordedVersions(reopened)).toEqual(latest);
        expect(latest).toEqual([1, 2, 3]);
        expect((await reopened.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM catalog_items'))?.['n']).toBe(
          4,
        );
      } finally {
        await reopened.close();
      }
    });

    it('refuses a database written by a newer build', async () => {
      const location = await databases.next();
      const db = await openOrdersDatabase(location);
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        42,
        'future',
        'now',
      ]);
      await db.close();
      const refused = await openOrdersDatabase(location).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(refused).toBeInstanceOf(MigrationError);
      expect(refused).toMatchObject({ code: 'database_too_new' });
    });

    it('upgrades a database from an older version', async () => {
      const location = await databases.next();
      const first: EngineMigrations = {
        sqlite: ordersMigrations.sqlite.slice(0, 1),
        postgres: ordersMigrations.postgres.slice(0, 1),
      };
      const old = await openServiceDatabase(location, first);
      expect(await recordedVersions(old)).toEqual([1]);
      await old.close();
      const upgraded = await openOrdersDatabase(location);
      try {
        expect(await recordedVersions(upgraded)).toEqual(latest);
      } finally {
        await upgraded.close();
      }
    });

    // About SQLite itself: its database is a file only its owner may read (on PostgreSQL, roles decide).
    if (engine === 'sqlite') {
      it('keeps the database file private to its owner', async () => {
        const { sqliteFile } = await databases.next();
        await (await openOrdersDatabase({ databaseUrl: undefined, sqliteFile })).close();
        expect(statSync(sqliteFile).mode & 0o077).toBe(0);
      });
    }
  });

  describe('restart', () => {
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
});
