// The Express 5 preset every service starts from: request id, access log, security headers and health routes
// first; the service's routes next; `finishApp` adds 404 and the error handler last.
import express from 'express';
import type { Express } from 'express';
import type { Logger } from 'pino';

import { accessLog } from './access-log.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { healthRoutes } from './health.js';
import type { ReadinessCheck } from './health.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

export interface ServiceAppOptions {
  readonly logger: Logger;
  /** Accept well-formed incoming X-Request-Id headers: true for internal services, false at the gateway. */
  readonly trustIncomingRequestId: boolean;
  /** Readiness check behind GET /readyz. */
  readonly readiness?: ReadinessCheck;
}

export function createServiceApp(options: ServiceAppOptions): Express {
  const { logger, trustIncomingRequestId, readiness } = options;
  const app = express();

  // Say nothing about the stack to whoever is asking.
  app.disable('x-powered-by');
  // Never derive req.ip / req.protocol / req.hostname from X-Forwarded-* headers a client can set.
  app.set('trust proxy', false);
  // API responses are no-store; ETags would only add conditional-request paths nobody uses.
  app.set('etag', false);
  // One spelling per route: `/Orders` and `/orders/` are not `/orders`. The gateway's route allowlist and a
  // service's router then agree on what a path is. Routers need the same options: use createRouter().
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // Escape <, > and & in JSON responses, so a response sniffed as HTML cannot carry markup.
  app.set('json escape', true);

  app.use(requestId({ trustIncoming: trustIncomingRequestId }));
  app.use(accessLog(logger));
  app.use(securityHeaders());
  app.use(healthRoutes({ logger, readiness }));
  return app;
}

export interface FinishAppOptions {
  readonly logger: Logger;
}

/** Registers the 404 handler and the error handler; call after the service's routes, and register nothing after. */
export function finishApp(app: Express, options: FinishAppOptions): Express {
  app.use(notFoundHandler);
  app.use(errorHandler({ logger: options.logger }));
  return app;
}
