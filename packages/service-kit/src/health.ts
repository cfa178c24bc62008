// Liveness and readiness for the orchestrator: `/healthz` says the process serves requests, `/readyz` says its
// dependencies are usable. A failing, throwing or hanging readiness check is 503 and the reason stays in the log.
import type { Router } from 'express';
import type { Logger } from 'pino';

import { errorBody, errorCodes } from './errors.js';
import { methodNotAllowedHandler } from './error-handler.js';
import { createRouter } from './router.js';

export type ReadinessCheck = () => Promise<boolean> | boolean;

export interface HealthRoutesOptions {
  /** Resolves true when the service can do its job. Only exactly `true` counts as ready. */
  readonly readiness?: ReadinessCheck;
  /** How long a readiness check may take before the probe answers 503; default 2000 ms. */
  readonly readinessTimeoutMs?: number;
  /** Where a failing check's error goes; without it the reason is dropped. */
  readonly logger?: Logger;
}

export const DEFAULT_READINESS_TIMEOUT_MS = 2000;

export function healthRoutes(options: HealthRoutesOptions = {}): Router {
  const { readiness, logger, readinessTimeoutMs = DEFAULT_READINESS_TIMEOUT_MS } = options;
  if (!Number.isSafeInteger(readinessTimeoutMs) || readinessTimeoutMs < 1) {
    throw new TypeError('healthRoutes: option "readinessTimeoutMs" must be a positive integer');
  }
  const router = createRouter();

  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowedHandler(['GET', 'HEAD']));

  router
    .route('/readyz')
    .get(async (req, res) => {
      const ready = readiness === undefined || (await isReady(readiness, readinessTimeoutMs, logger, req.id));
      if (ready) {
        res.json({ status: 'ok' });
      } else {
        res.status(503).json(errorBody(errorCodes.serviceUnavailable, 'The service is not ready.', req.id));
      }
    })
    .all(methodNotAllowedHandler(['GET', 'HEAD']));

  return router;
}

async function isReady(
  check: ReadinessCheck,
  timeoutMs: number,
  logger: Logger | undefined,
  requestId: string | undefined,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'timeout');
  });
  try {
    // `async () => check()` turns a synchronous throw into a rejection, so both are handled below.
    const result = await Promise.race([(async () => check())(), timeout]);
    if (result === 'timeout') {
      logger?.warn({ requestId, timeoutMs }, 'readiness check timed out');
      return false;
    }
    // Only exactly `true` is ready; a check written in JS that returns 'yes' or 1 is a bug, and fails closed.
    const value: unknown = result;
    return value === true;
  } catch (error) {
    logger?.warn({ err: error, requestId }, 'readiness check failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}
