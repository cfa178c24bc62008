// Starts payments: config, logger, database, verifier, then listens. Everything else lives in createApp.
import { createLogger, jwksUrlOf, loadConfigOrExit, startServer } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';

import { createApp } from './app.js';
import { parsePaymentsConfig } from './config.js';
import { openPaymentsDatabase } from './db/database.js';
import { service, tokenPolicy } from './service.js';

const config = loadConfigOrExit(parsePaymentsConfig);
const logger = createLogger({ service: service.name, level: config.logLevel });
const db = await openPaymentsDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.databaseFile });
const verifier = createTokenVerifier(
  serviceTokenVerifierOptions({ ...tokenPolicy, issuer: config.issuer, jwks: jwksUrlOf(config) }),
);

try {
  await startServer(createApp({ logger, verifier, db }), {
    port: config.port,
    reusePort: config.reusePort,
    host: config.host,
    logger,
    onShutdown: () => db.close(),
  });
} catch {
  // startServer has logged why (the port, taken or forbidden); the launcher reads the exit code.
  await db.close();
  process.exit(1);
}
