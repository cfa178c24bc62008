// Starts the image processor: config, logger, verifier, then listens. Everything else lives in createApp.
import { createLogger, loadConfigOrExit, startServer } from '@airlock/service-kit';
import { createTokenVerifier } from '@airlock/token-verification';

import { createApp } from './app.js';
import { imageProcessorConfigSchema, processEnv } from './config.js';
import { SERVICE_NAME } from './routes/images.create.js';
import { imageProcessorVerifierOptions } from './verifier.js';

const config = loadConfigOrExit(imageProcessorConfigSchema, processEnv());
const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel });
// The JWKS is fetched lazily, on the first token: the gateway may start after this service.
const verifier = createTokenVerifier(imageProcessorVerifierOptions(config.issuer, config.jwksUrl));

try {
  await startServer(createApp({ logger, verifier }), { port: config.port, host: config.host, logger });
} catch {
  // startServer has logged why (the port, taken or forbidden); the launcher reads the exit code.
  process.exit(1);
}
