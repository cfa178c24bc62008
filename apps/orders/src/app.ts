// Builds the orders HTTP app from its dependencies, without listening. Every collaborator is injected, so
// tests (and the integrator's end-to-end suite) can wire real or stand-in auth and payments clients.
import type { Express } from 'express';
import { createRouter, createServiceApp, finishApp } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import { registerProtectedRoutes } from '@airlock/service-kit/protected-routes';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';
import type { SqlDatabase } from '@airlock/service-kit/database';
import type { TokenVerifier } from '@airlock/token-verification';

import type { PaymentsClient } from './clients/payments-client.js';
import type { PaymentsTokenExchanger } from './clients/token-exchange-client.js';
import { OrdersRepository } from './db/orders-repository.js';
import type { RouteDeps } from './route-deps.js';
import { service } from './service.js';
import { listAdminOrdersRoute } from './routes/admin-orders.list.js';
import { refundAdminOrderRoute } from './routes/admin-orders.refund.js';
import { listCatalogRoute } from './routes/catalog.list.js';
import { createOrderRoute } from './routes/orders.create.js';
import { listOrdersRoute } from './routes/orders.list.js';
import { payOrderRoute } from './routes/orders.pay.js';
import { showOrderRoute } from './routes/orders.show.js';

/** The fake payment-method reference every order is charged with: there is no card data in Airlock. */
export const DEMO_PAYMENT_METHOD = 'pm_fake_visa';

export interface OrdersAppDeps {
  readonly logger: Logger;
  /** Verifies tokens with audience `orders`. */
  readonly verifier: TokenVerifier;
  /** An open, migrated database (openOrdersDatabase). */
  readonly db: SqlDatabase;
  /** Trades the user's token for one addressed to payments (auth, RFC 8693). */
  readonly tokenExchanger: PaymentsTokenExchanger;
  readonly payments: PaymentsClient;
  readonly now?: () => Date;
  readonly paymentMethod?: string;
}

export function ordersRoutes(deps: RouteDeps): ProtectedRoute[] {
  return [
    listCatalogRoute(deps),
    listOrdersRoute(deps),
    createOrderRoute(deps),
    showOrderRoute(deps),
    payOrderRoute(deps),
    listAdminOrdersRoute(deps),
    refundAdminOrderRoute(deps),
  ];
}

export function createApp(deps: OrdersAppDeps): Express {
  const { logger, verifier, db } = deps;
  const app = createServiceApp({
    logger,
    // Only the gateway reaches orders; its request id joins the gateway's, orders' and payments' lines.
    trustIncomingRequestId: true,
    // Ready means able to do the job: the database answers and a token could be verified (issue 11, finding 9).
    readiness: async () => (await db.ping()) && (await verifier.ready()),
  });
  const routeDeps: RouteDeps = {
    repository: new OrdersRepository(db),
    tokenExchanger: deps.tokenExchanger,
    payments: deps.payments,
    logger,
    now: deps.now ?? (() => new Date()),
    paymentMethod: deps.paymentMethod ?? DEMO_PAYMENT_METHOD,
  };
  const router = createRouter();
  registerProtectedRoutes(router, ordersRoutes(routeDeps), { service: service.name, verifier, logger });
  app.use(router);
  return finishApp(app, { logger });
}
