// Starts the gateway: configuration, logger, the workload key pair (generated at first start), then listening.
import { createLogger, startServer } from '@airlock/service-kit';
import { createClientAssertion, ensureWorkloadKeyPair } from '@airlock/workload-identity';
import { createGateway } from './app.js';
import { GATEWAY_SERVICE, loadGatewayConfigOrExit } from './config.js';

const config = loadGatewayConfigOrExit();
const logger = createLogger({ service: GATEWAY_SERVICE, level: config.logLevel });
const keys = await ensureWorkloadKeyPair({ dataDir: config.dataDir, service: GATEWAY_SERVICE });
const gateway = createGateway({
  config,
  logger,
  clientAssertion: () =>
    createClientAssertion({
      service: GATEWAY_SERVICE,
      privateKey: keys.privateKey,
      kid: keys.kid,
      audience: config.issuer,
    }),
});
try {
  const running = await startServer(gateway.handle, {
    port: config.port,
    host: config.host,
    logger,
    maxHeaderSize: config.maxHeaderBytes,
    onShutdown: () => gateway.close(),
  });
  running.server.on('clientError', gateway.onClientError);
} catch {
  // startServer has logged why (port in use, permission); nothing more to say.
  process.exit(1);
}
