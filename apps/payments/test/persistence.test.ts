// Payments' database on both engines: numbered migrations recorded once, refusal of a newer schema, data kept
// across restarts.
import { describe, expect, it } from '@jest/globals';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { integerColumn, MigrationError } from '@airlock/service-kit/database';
import type { SqlDatabase } from '@airlock/service-kit/database';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';

import { createApp } from '../src/app.js';
import { openPaymentsDatabase } from '../src/db/database.js';
import { paymentsMigrations } from '../src/db/migrations.js';
import { tokenPolicy } from '../src/service.js';
import { AUTHORIZATION_DETAILS } from '@airlock/topology';
import { operationOfBody } from './support/harness.js';

/** The versions schema_migrations records, in order. */
async function recordedVersions(db: SqlDatabase): Promise<number[]> {
  const rows = await db.all('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => integerColumn(row, 'version'));
}

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  describe('migrations', () => {
    it('records each numbered migration once and applies nothing on a second run', async () => {
      const location = await databases.next();
      await (await openPaymentsDatabase(location)).close();
      const reopened = await openPaymentsDatabase(location);
      try {
        expect(await recordedVersions(reopened)).toEqual(
          paymentsMigrations[engine].map((migration) => migration.version),
        );
      } finally {
        await reopened.close();
      }
    });

    it('refuses to open a database written by a newer build', async () => {
      const location = await databases.next();
      const db = await openPaymentsDatabase(location);
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        99,
        'future',
        'now',
      ]);
      await db.close();
      const refused = await openPaymentsDatabase(location).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(refused).toBeInstanceOf(MigrationError);
      expect(refused).toMatchObject({ code: 'database_too_new' });
    });
  });

  describe('restart', () => {
    it('keeps charges and idempotency records: a replay after a restart gets the same answer', async () => {
      const issuer = await createTestIssuer({ audience: 'payments' });
      const logger = createLogger({ service: 'payments', level: 'silent' });
      const verifier = createTokenVerifier(
        serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
      );
      const body = {
        orderId: '7d3f1c2e-8a4b-4c5d-9e6f-0a1b2c3d4e5f',
        amount: 100,
        currency: 'EUR',
        paymentMethod: 'pm_fake_visa',
      };
      // Bound to this charge; the used-token record is per process, so the restarted app accepts it once more.
      const token = await issuer.mint({
        claims: {
          scope: 'orders',
          act: { sub: 'orders' },
          [AUTHORIZATION_DETAILS]: [operationOfBody('/charges', body)],
        },
      });
      const send = (app: ReturnType<typeof createApp>): request.Test =>
        request(app)
          .post('/charges')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', 'restart-key')
          .send(body);

      const location = await databases.next();
      const first = await openPaymentsDatabase(location);
      const created = await send(createApp({ logger, verifier, db: first }));
      await first.close();

      const second = await openPaymentsDatabase(location);
      const replayed = await send(createApp({ logger, verifier, db: second }));
      expect(replayed.status).toBe(201);
      expect(replayed.body).toEqual(created.body);
      expect((await second.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM charges'))?.['n']).toBe(1);
      await second.close();
    });
  });
});
