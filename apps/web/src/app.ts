// Builds the web HTTP app from its dependencies, without listening: tests drive it in-process.
import type { Express } from 'express';
import { createRouter, createServiceApp, finishApp } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import { registerProtectedRoutes } from '@airlock/service-kit/protected-routes';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';
import type { TokenVerifier } from '@airlock/token-verification';

import { createShowRoute } from './routes/web.show.js';
import { service, topology } from './service.js';

export interface WebAppDeps {
  readonly logger: Logger;
  /** Verifies tokens with audience `web`. */
  readonly verifier: TokenVerifier;
}

/** Every route of the service; each must be declared in the topology, or the app refuses to build. */
export function webRoutes(): ProtectedRoute[] {
  return [createShowRoute()];
}

export function createApp(deps: WebAppDeps): Express {
  const { logger, verifier } = deps;
  // Behind the gateway (or another service of the topology): its request id joins the services' log lines.
  const app = createServiceApp({ logger, trustIncomingRequestId: true });
  const router = createRouter();
  registerProtectedRoutes(router, webRoutes(), {
    service: service.name,
    topology,
    verifier,
    logger,
  });
  app.use(router);
  return finishApp(app, { logger });
}
