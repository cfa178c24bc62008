// Starts orders: config, logger, database, its workload key, verifier and the real auth and payments
// clients, then listens. Everything else lives in createApp.
import { createLogger, loadConfigOrExit, startServer } from '@airlock/service-kit';
import { createTokenVerifier } from '@airlock/token-verification';
import { ensureWorkloadKeyPair } from '@airlock/workload-identity';

import { createApp, SERVICE_NAME } from './app.js';
import { createPaymentsClient } from './clients/payments-client.js';
import { createTokenExchangeClient } from './clients/token-exchange-client.js';
import { ordersConfigSchema, processEnv } from './config.js';
import { openOrdersDatabase } from './db/database.js';
import { createOrdersVerifierOptions } from './verifier.js';

const config = loadConfigOrExit(ordersConfigSchema, processEnv());
const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel });
// Generated at first start into <data dir>/orders/; auth reads only the public half.
const keyPair = await ensureWorkloadKeyPair({
  dataDir: config.dataDir,
  service: SERVICE_NAME,
  ...(config.workloadKeysDir === undefined ? {} : { publicKeysDir: config.workloadKeysDir }),
});
const db = openOrdersDatabase(config.databaseFile);

const app = createApp({
  logger,
  verifier: createTokenVerifier(createOrdersVerifierOptions(config.issuer, config.jwksUrl)),
  db,
  tokenExchanger: createTokenExchangeClient({ authUrl: config.authUrl, issuer: config.issuer, keyPair }),
  payments: createPaymentsClient({ baseUrl: config.paymentsUrl }),
});

try {
  await startServer(app, {
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
