// Builds the payments HTTP app from its dependencies, without listening: tests drive it in-process.
import type { Express } from 'express';
import { createRouter, createServiceApp, finishApp } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import { registerProtectedRoutes } from '@airlock/service-kit/protected-routes';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';
import type { SqlDatabase } from '@airlock/service-kit/database';
import type { TokenVerifier } from '@airlock/token-verification';

import { PaymentsRepository } from './db/payments-repository.js';
import { createChargeRoute } from './routes/charges.create.js';
import { createRefundRoute } from './routes/refunds.create.js';
import { service } from './service.js';
import { UsedTokens } from './used-tokens.js';

export interface PaymentsAppDeps {
  readonly logger: Logger;
  /** Verifies tokens with audience `payments`. */
  readonly verifier: TokenVerifier;
  /** An open, migrated database (openPaymentsDatabase). */
  readonly db: SqlDatabase;
  readonly now?: () => Date;
}

/** The routes; `usedTokens` is the process's single-use record of payments tokens, shared by both. */
export function paymentsRoutes(
  repository: PaymentsRepository,
  now: () => Date,
  usedTokens: UsedTokens = new UsedTokens(),
): ProtectedRoute[] {
  return [
    createChargeRoute({ repository, now, usedTokens }),
    createRefundRoute({ repository, now, usedTokens }),
  ];
}

export function createApp(deps: PaymentsAppDeps): Express {
  const { logger, verifier, db } = deps;
  const now = deps.now ?? (() => new Date());
  const app = createServiceApp({
    logger,
    // Only orders reaches payments; its request id joins the two services' log lines.
    trustIncomingRequestId: true,
    // Ready means able to do the job: the database answers and a token could be verified (issue 11, finding 9).
    readiness: async () => (await db.ping()) && (await verifier.ready()),
  });
  const router = createRouter();
  registerProtectedRoutes(router, paymentsRoutes(new PaymentsRepository(db), now), {
    service: service.name,
    verifier,
    logger,
  });
  app.use(router);
  return finishApp(app, { logger });
}
