// Starts web: config, logger, its workload key (its identity as auth's confidential client), the session
// store, then listens. Everything else lives in createApp.
import { createFetchDispatcher, createLogger, loadConfigOrExit, startServer } from '@airlock/service-kit';
import { ensureWorkloadKeyPair } from '@airlock/workload-identity';

import { createApp } from './app.js';
import { parseWebConfig } from './config.js';
import { createAuthClient } from './oauth/auth-client.js';
import { service } from './service.js';
import { SessionStore } from './session/session-store.js';

const config = loadConfigOrExit(parseWebConfig);
const logger = createLogger({ service: service.name, level: config.logLevel });
if (config.jwksUrl === undefined) {
  logger.fatal('the topology gives web no JWKS call: it cannot check ID tokens');
  process.exit(1);
}
// Generated at first start into <data dir>/web/; auth reads only the public half.
const keyPair = await ensureWorkloadKeyPair({
  dataDir: config.dataDir,
  service: service.name,
  ...(config.workloadKeysDir === undefined ? {} : { publicKeysDir: config.workloadKeysDir }),
});

// One pool per gateway replica its name resolves to (Swarm's dnsrr), for the API and auth's back channel alike.
const toGateway = createFetchDispatcher(config.gatewayUrl);

const app = createApp({
  logger,
  auth: createAuthClient({
    issuer: config.issuer,
    gatewayUrl: config.gatewayUrl,
    clientId: service.name,
    keyPair,
    redirectUri: config.redirectUri,
    jwksUrl: config.jwksUrl,
    dispatcher: toGateway,
  }),
  sessions: new SessionStore({
    idleMs: config.sessionIdleSeconds * 1000,
    absoluteMs: config.sessionAbsoluteSeconds * 1000,
    maxSessions: config.maxSessions,
  }),
  cookies: { secure: config.secureCookies },
  publicOrigin: config.publicOrigin,
  gatewayUrl: config.gatewayUrl,
  gatewayDispatcher: toGateway,
  staticDir: config.staticDir,
});

try {
  await startServer(app, {
    port: config.port,
    host: config.host,
    reusePort: config.reusePort,
    logger,
    onShutdown: () => toGateway.close(),
  });
} catch {
  // startServer has logged why (the port, taken or forbidden); the launcher reads the exit code.
  process.exit(1);
}
