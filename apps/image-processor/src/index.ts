// Starts the image processor: config, logger, verifier, then listens. Everything else lives in createApp.
import { createLogger, jwksUrlOf, loadConfigOrExit, startServer } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';

import { createApp } from './app.js';
import { parseImageProcessorConfig } from './config.js';
import { service, tokenPolicy } from './service.js';

const config = loadConfigOrExit(parseImageProcessorConfig);
const logger = createLogger({ service: service.name, level: config.logLevel });
// The JWKS is fetched lazily, on the first token: the gateway may start after this service.
const verifier = createTokenVerifier(
  serviceTokenVerifierOptions({ ...tokenPolicy, issuer: config.issuer, jwks: jwksUrlOf(config) }),
);

try {
  await startServer(createApp({ logger, verifier }), {
    port: config.port,
    host: config.host,
    reusePort: config.reusePort,
    logger,
  });
} catch {
  // startServer has logged why (the port, taken or forbidden); the launcher reads the exit code.
  process.exit(1);
}
