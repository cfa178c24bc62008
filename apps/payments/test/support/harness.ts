// Builds a payments app on a fresh database with a test issuer, as the tests need it: a temporary SQLite file,
// or the database a caller gives it (one of useTestDatabases' on either engine).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Express } from 'express';
import { createLogger } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import type { DatabaseLocation, SqlDatabase } from '@airlock/service-kit/database';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { MintOptions, TestIssuer } from '@airlock/testing/tokens';

import { createApp } from '../../src/app.js';
import { openPaymentsDatabase } from '../../src/db/database.js';
import { tokenPolicy } from '../../src/service.js';

export interface PaymentsHarness {
  readonly app: Express;
  readonly db: SqlDatabase;
  readonly issuer: TestIssuer;
  /** A token orders would present on alice's behalf (act: orders, via the gateway), with extra claims. */
  ordersToken(claims?: Record<string, unknown>, options?: Omit<MintOptions, 'claims'>): Promise<string>;
  close(): Promise<void>;
}

export async function createPaymentsHarness(
  logger?: Logger,
  location?: DatabaseLocation,
): Promise<PaymentsHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-payments-'));
  const db = await openPaymentsDatabase(
    location ?? { databaseUrl: undefined, sqliteFile: join(dir, 'payments', 'payments.db') },
  );
  const issuer = await createTestIssuer({ audience: 'payments' });
  const verifier = createTokenVerifier(
    serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
  );
  const app = createApp({
    logger: logger ?? createLogger({ service: 'payments', level: 'silent' }),
    verifier,
    db,
  });
  return {
    app,
    db,
    issuer,
    ordersToken: (claims = {}, options = {}) =>
      issuer.mint({
        ...options,
        claims: { scope: 'orders', act: { sub: 'orders', act: { sub: 'gateway' } }, ...claims },
      }),
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
