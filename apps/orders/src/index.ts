// Starts orders: config, logger, database, its workload key, verifier and the real auth and payments
// clients, then listens. Everything else lives in createApp.
import {
  createLogger,
  createServiceDispatcher,
  jwksUrlOf,
  loadConfigOrExit,
  startServer,
} from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { ensureWorkloadKeyPair } from '@airlock/workload-identity';

import { createApp } from './app.js';
import { createPaymentsClient } from './clients/payments-client.js';
import { createPaymentsTokenExchanger } from './clients/token-exchange-client.js';
import { parseOrdersConfig } from './config.js';
import { openOrdersDatabase } from './db/database.js';
import { paymentsService, service, tokenPolicy } from './service.js';

const config = loadConfigOrExit(parseOrdersConfig);
const logger = createLogger({ service: service.name, level: config.logLevel });
// Generated at first start into <data dir>/orders/; auth reads only the public half.
const keyPair = await ensureWorkloadKeyPair({
  dataDir: config.dataDir,
  service: service.name,
  ...(config.workloadKeysDir === undefined ? {} : { publicKeysDir: config.workloadKeysDir }),
});
const db = await openOrdersDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.databaseFile });
// One pool per replica that auth's and payments' names resolve to (Swarm's dnsrr); a plain pool for an IP.
const toAuth = createServiceDispatcher(config.authUrl);
const toPayments = createServiceDispatcher(config.paymentsUrl);
const closeAll = async (): Promise<void> => {
  await Promise.all([db.close(), toAuth.close(), toPayments.close()]);
};

const app = createApp({
  logger,
  verifier: createTokenVerifier(
    serviceTokenVerifierOptions({ ...tokenPolicy, issuer: config.issuer, jwks: jwksUrlOf(config) }),
  ),
  db,
  tokenExchanger: createPaymentsTokenExchanger({
    authUrl: config.authUrl,
    issuer: config.issuer,
    keyPair,
    clientId: service.name,
    audience: paymentsService.name,
    dispatcher: toAuth,
  }),
  payments: createPaymentsClient({ baseUrl: config.paymentsUrl, dispatcher: toPayments }),
});

try {
  await startServer(app, {
    port: config.port,
    reusePort: config.reusePort,
    host: config.host,
    logger,
    onShutdown: closeAll,
  });
} catch {
  // startServer has logged why (the port, taken or forbidden); the launcher reads the exit code.
  await closeAll();
  process.exit(1);
}
