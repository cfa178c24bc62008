// Builds a payments app on a fresh database with a test issuer, as the tests need it: a temporary SQLite file,
// or the database a caller gives it (one of useTestDatabases' on either engine).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Express } from 'express';
import { AUTHORIZATION_DETAILS, airlockTopology, operationOfRoute } from '@airlock/topology';
import type { BoundOperation } from '@airlock/topology';
import { createLogger } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import type { DatabaseLocation, SqlDatabase } from '@airlock/service-kit/database';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { MintOptions, TestIssuer } from '@airlock/testing/tokens';

import { createApp } from '../../src/app.js';
import { openPaymentsDatabase } from '../../src/db/database.js';
import { service, tokenPolicy } from '../../src/service.js';

export interface PaymentsHarness {
  readonly app: Express;
  readonly db: SqlDatabase;
  readonly issuer: TestIssuer;
  /** A token orders would present on alice's behalf (act: orders, via the gateway), with extra claims. */
  ordersToken(claims?: Record<string, unknown>, options?: Omit<MintOptions, 'claims'>): Promise<string>;
  /**
   * The token auth would mint for orders for exactly one operation: `bearer`'s claims, bound to `operation`
   * (authorization_details), with a jti of its own. Payments tokens are single-use, so each request gets one.
   */
  boundTo(bearer: string, operation: BoundOperation): Promise<string>;
  close(): Promise<void>;
}

/** The payload of a compact JWS, unverified: the test re-mints a token it minted itself. */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * The operation a request body names, as orders would ask auth to bind it: what the body says, or for a refund
 * without an amount, what is left of the charge (`refundable`); a refund also names the charge's order.
 */
export function operationOfBody(
  path: '/charges' | '/refunds',
  body: unknown,
  charge?: { readonly refundable: number; readonly currency: string; readonly orderId?: string },
): BoundOperation {
  const binding = operationOfRoute(airlockTopology, service.name, 'POST', path);
  if (binding === undefined) throw new Error(`payments binds no operation to ${path}`);
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const identifier = fields[path === '/charges' ? 'orderId' : 'chargeId'];
  const amount = fields['amount'] ?? charge?.refundable;
  const currency = path === '/charges' ? fields['currency'] : charge?.currency;
  return {
    type: binding.detailsType,
    actions: [binding.operation],
    identifier: typeof identifier === 'string' ? identifier : 'none',
    amount: typeof amount === 'number' ? amount : 1,
    currency: typeof currency === 'string' ? currency : 'EUR',
    // A refund names its charge's order, as orders asks auth for it (the admin's intent names the order).
    ...(path === '/refunds' ? { order: charge?.orderId ?? 'none' } : {}),
  };
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
    boundTo: (bearer, operation) =>
      issuer.mint({
        claims: { ...claimsOf(bearer), jti: randomUUID(), [AUTHORIZATION_DETAILS]: [operation] },
      }),
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
