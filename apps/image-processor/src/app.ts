// Builds the image processor's HTTP app from its dependencies, without listening: tests drive it in-process.
import type { Express } from 'express';
import { createServiceApp, finishApp } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import type { TokenVerifier } from '@airlock/token-verification';

import { configureSharp } from './image/configure-sharp.js';
import { MAX_CONCURRENT_JOBS, MAX_CONCURRENT_REQUESTS } from './image/limits.js';
import { imagesCreateRouter } from './routes/images.create.js';
import type { Capacity } from './routes/images.create.js';
import { Slots } from './slots.js';

export interface ImageProcessorAppDeps {
  readonly logger: Logger;
  /** Verifies tokens with audience `image-processor`. */
  readonly verifier: TokenVerifier;
  /** Defaults to MAX_CONCURRENT_REQUESTS and MAX_CONCURRENT_JOBS; tests pass their own to hold slots. */
  readonly capacity?: Capacity;
}

export function createApp(deps: ImageProcessorAppDeps): Express {
  const { logger, verifier } = deps;
  const capacity = deps.capacity ?? {
    requests: new Slots(MAX_CONCURRENT_REQUESTS),
    jobs: new Slots(MAX_CONCURRENT_JOBS),
  };
  configureSharp();
  // Only the gateway reaches the sandbox; its request id joins the two services' log lines.
  // Ready means a token could be verified: without auth's key set every upload would be 503 (issue 11, finding 9).
  const app = createServiceApp({ logger, trustIncomingRequestId: true, readiness: () => verifier.ready() });
  app.use(imagesCreateRouter({ logger, verifier, capacity }));
  return finishApp(app, { logger });
}
