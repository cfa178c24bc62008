// Builds a payments app on a fresh temporary database with a test issuer, as the tests need it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

import type { Express } from 'express';
import { createLogger } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { MintOptions, TestIssuer } from '@airlock/testing/tokens';

import { createApp } from '../../src/app.js';
import { openPaymentsDatabase } from '../../src/db/database.js';
import { tokenPolicy } from '../../src/service.js';

export interface PaymentsHarness {
  readonly app: Express;
  readonly db: DatabaseSync;
  readonly issuer: TestIssuer;
  readonly databaseFile: string;
  /** A token orders would present on alice's behalf (act: orders, via the gateway), with extra claims. */
  ordersToken(claims?: Record<string, unknown>, options?: Omit<MintOptions, 'claims'>): Promise<string>;
  close(): void;
}

export async function createPaymentsHarness(logger?: Logger): Promise<PaymentsHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-payments-'));
  const databaseFile = join(dir, 'payments', 'payments.db');
  const db = openPaymentsDatabase(databaseFile);
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
    databaseFile,
    ordersToken: (claims = {}, options = {}) =>
      issuer.mint({
        ...options,
        claims: { scope: 'orders', act: { sub: 'orders', act: { sub: 'gateway' } }, ...claims },
      }),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
