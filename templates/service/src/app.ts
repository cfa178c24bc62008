// Builds the template-service HTTP app from its dependencies, without listening: tests drive it in-process.
import type { Express } from 'express';
import { createRouter, createServiceApp, finishApp } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import { registerProtectedRoutes } from '@airlock/service-kit/protected-routes';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';
import type { TokenVerifier } from '@airlock/token-verification';

import { createShowRoute } from './routes/template-service.show.js';
import { service, topology } from './service.js';

export interface TemplateServiceAppDeps {
  readonly logger: Logger;
  /** Verifies tokens with audience `template-service`. */
  readonly verifier: TokenVerifier;
}

/** Every route of the service; each must be declared in the topology, or the app refuses to build. */
export function templateServiceRoutes(): ProtectedRoute[] {
  return [createShowRoute()];
}

export function createApp(deps: TemplateServiceAppDeps): Express {
  const { logger, verifier } = deps;
  // Behind the gateway (or another service of the topology): its request id joins the services' log lines.
  const app = createServiceApp({ logger, trustIncomingRequestId: true });
  const router = createRouter();
  registerProtectedRoutes(router, templateServiceRoutes(), {
    service: service.name,
    topology,
    verifier,
    logger,
  });
  app.use(router);
  return finishApp(app, { logger });
}
