// Builds an orders app on a fresh temporary database with a test issuer, a stand-in token exchanger that
// mints what auth would (aud: payments, act: orders acting for the gateway's user), and a real payments
// client pointed wherever the test says (the real payments app, a failing server, a hanging one).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Express } from 'express';
import { decodeJwt } from 'jose';
import { createLogger } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import type { DatabaseLocation, SqlDatabase } from '@airlock/service-kit/database';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import { AUTHORIZATION_DETAILS } from '@airlock/topology';
import type { BoundOperation } from '@airlock/topology';
import type { TestIssuer } from '@airlock/testing/tokens';

import { createApp } from '../../src/app.js';
import { createPaymentsClient } from '../../src/clients/payments-client.js';
import type { PaymentsTokenExchanger } from '../../src/clients/token-exchange-client.js';
import { openOrdersDatabase } from '../../src/db/database.js';
import { tokenPolicy } from '../../src/service.js';

export interface OrdersHarness {
  readonly app: Express;
  readonly db: SqlDatabase;
  readonly issuer: TestIssuer;
  readonly dataDir: string;
  readonly exchanges: { subject: string; scope: string | undefined }[];
  /** A token as the gateway forwards it to orders for `sub` (scope `orders`, act: gateway). */
  userToken(sub: string, claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export interface OrdersHarnessOptions {
  /** Where the payments client sends charges; default: a closed port (nothing listens). */
  readonly paymentsUrl?: URL;
  readonly paymentsTimeoutMs?: number;
  readonly issuer?: TestIssuer;
  readonly logger?: Logger;
  readonly tokenExchanger?: PaymentsTokenExchanger;
  /** The database on either engine (useTestDatabases); default: a SQLite file in the harness's folder. */
  readonly database?: DatabaseLocation;
}

/**
 * Stands in for auth's token exchange: mints, with the test issuer's key, the token auth would issue for
 * payments on the subject's behalf. It tests orders' logic, not auth; the real exchange is tested in
 * clients.test.ts against a local auth stand-in and end to end by the integration suite.
 */
export function standInExchanger(
  issuer: TestIssuer,
  log: { subject: string; scope: string | undefined }[] = [],
): PaymentsTokenExchanger {
  return {
    async exchange(subjectToken: string, scope?: string, operation?: BoundOperation): Promise<string> {
      const subject = decodeJwt(subjectToken);
      if (typeof subject.sub !== 'string') throw new Error('subject token without sub');
      log.push({ subject: subject.sub, scope });
      return issuer.mint({
        claims: {
          sub: subject.sub,
          aud: 'payments',
          scope: scope ?? subject['scope'],
          act: { sub: 'orders', act: { sub: 'gateway' } },
          client_id: subject['client_id'],
          ...(operation === undefined ? {} : { [AUTHORIZATION_DETAILS]: [operation] }),
        },
      });
    },
  };
}

export async function createOrdersHarness(options: OrdersHarnessOptions = {}): Promise<OrdersHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'airlock-orders-'));
  const db = await openOrdersDatabase(
    options.database ?? { databaseUrl: undefined, sqliteFile: join(dataDir, 'orders', 'orders.db') },
  );
  const issuer = options.issuer ?? (await createTestIssuer({ audience: 'orders' }));
  const exchanges: { subject: string; scope: string | undefined }[] = [];
  const app = createApp({
    logger: options.logger ?? createLogger({ service: 'orders', level: 'silent' }),
    verifier: createTokenVerifier(
      serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
    ),
    db,
    tokenExchanger: options.tokenExchanger ?? standInExchanger(issuer, exchanges),
    payments: createPaymentsClient({
      // Port 9 (discard) on loopback: nothing listens, so a call that should not happen fails fast.
      baseUrl: options.paymentsUrl ?? new URL('http://127.0.0.1:9'),
      ...(options.paymentsTimeoutMs === undefined ? {} : { timeoutMs: options.paymentsTimeoutMs }),
    }),
  });
  return {
    app,
    db,
    issuer,
    dataDir,
    exchanges,
    userToken: (sub, claims = {}) =>
      issuer.mint({ claims: { sub, scope: 'orders', act: { sub: 'gateway' }, ...claims } }),
    close: async () => {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
