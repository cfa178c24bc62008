// Starts the gateway: configuration, logger, the workload key pair (generated at first start), then listening.
import { createLogger, startServer } from '@airlock/service-kit';
import { createClientAssertion, ensureWorkloadKeyPair } from '@airlock/workload-identity';
import { pino } from 'pino';
import { createGateway } from './app.js';
import { auditLineSink } from './audit.js';
import { GATEWAY_SERVICE, loadGatewayConfigOrExit } from './config.js';

const config = loadGatewayConfigOrExit();
// One buffered stdout writer for both loggers: lines never interleave, and one write syscall carries many lines
// (per-line writes measured ~13% of the gateway's CPU under load). Bounded loss on a hard crash: at most
// LOG_BUFFER_BYTES or LOG_FLUSH_INTERVAL_MS of lines; pino flushes on a normal exit, startServer on shutdown.
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 200;
const destination = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES });
setInterval(() => {
  destination.flush();
}, LOG_FLUSH_INTERVAL_MS).unref();
const logger = createLogger({ service: GATEWAY_SERVICE, level: config.logLevel, destination });
const keys = await ensureWorkloadKeyPair({ dataDir: config.dataDir, service: GATEWAY_SERVICE });
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
  destination.flushSync();
  process.exit(1);
}
