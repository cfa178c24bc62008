// Starts payments: config, logger, database, verifier, then listens. Everything else lives in createApp.
import { createLogger, loadConfigOrExit, startServer } from '@airlock/service-kit';
import { createTokenVerifier } from '@airlock/token-verification';

import { createApp, SERVICE_NAME } from './app.js';
import { paymentsConfigSchema, processEnv } from './config.js';
import { openPaymentsDatabase } from './db/database.js';
import { createPaymentsVerifierOptions } from './verifier.js';

const config = loadConfigOrExit(paymentsConfigSchema, processEnv());
const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel });
const db = openPaymentsDatabase(config.databaseFile);
const verifier = createTokenVerifier(createPaymentsVerifierOptions(config.issuer, config.jwksUrl));

try {
  await startServer(createApp({ logger, verifier, db }), {
    port: config.port,
    host: config.host,
    logger,
    onShutdown: () => {
      db.close();
    },
  });
} catch {
  // startServer has logged why (the port, taken or forbidden); the launcher reads the exit code.
  db.close();
  process.exit(1);
}
