// Starts the gateway: configuration, logger, the workload key pair (generated at first start), then listening.
// Where it differs from the other services, and why: the gateway is a plain node:http handler (createGateway,
// not an Express createApp) because it is the hot path, and it logs through one synchronous stdout writer that
// it shares with its audit lines.
import { createLogger, loadConfigOrExit, startServer } from '@airlock/service-kit/core';
import {
  createClientAddressAssertion,
  createClientAssertion,
  ensureWorkloadKeyPair,
} from '@airlock/workload-identity';
import { pino } from 'pino';
import { createGateway } from './app.js';
import { auditLineSink } from './audit.js';
import { GATEWAY_SERVICE, parseGatewayConfig } from './config.js';

const config = loadConfigOrExit(parseGatewayConfig);
// One synchronous stdout writer for both the service log and the audit lines: lines never interleave, none is
// lost on a crash, and it measured cheapest here (~2.7 us per line; pino's asynchronous and buffered modes
// cost more per line under load, in sonic-boom's string handling and the thread-pool hand-off).
const destination = pino.destination({ dest: 1, sync: true });
const logger = createLogger({ service: GATEWAY_SERVICE, level: config.logLevel, destination });
const keys = await ensureWorkloadKeyPair({
  dataDir: config.dataDir,
  service: GATEWAY_SERVICE,
  ...(config.workloadKeysDir === undefined ? {} : { publicKeysDir: config.workloadKeysDir }),
});
const gateway = createGateway({
  config,
  logger,
  audit: auditLineSink({ service: GATEWAY_SERVICE, destination }),
  clientAssertion: () =>
    createClientAssertion({
      service: GATEWAY_SERVICE,
      privateKey: keys.privateKey,
      kid: keys.kid,
      audience: config.issuer,
    }),
  clientAddressAssertion: (address) =>
    createClientAddressAssertion({
      service: GATEWAY_SERVICE,
      privateKey: keys.privateKey,
      kid: keys.kid,
      audience: config.issuer,
      address,
    }),
});
try {
  const running = await startServer(gateway.handle, {
    port: config.port,
    reusePort: config.reusePort,
    host: config.host,
    logger,
    maxHeaderSize: config.maxHeaderBytes,
    onShutdown: () => gateway.close(),
  });
  running.server.on('clientError', gateway.onClientError);
  gateway.limitConnections(running.server);
} catch {
  // startServer has logged why (port in use, permission); nothing more to say.
  process.exit(1);
}
