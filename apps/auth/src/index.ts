// Starts auth: parse the environment, build the app, listen. SIGHUP reloads the signing keys (the key file
// is also watched); SIGTERM/SIGINT shut down gracefully.
// Where it differs from the other services, and why: createApp is asynchronous (it loads or generates the signing
// keys and opens oidc-provider's store) and returns handles for key reload and the demo password.
import { createLogger, loadConfigOrExit, ServerStartError, startServer } from '@airlock/service-kit';
import { createApp } from './app.js';
import { parseAuthConfig } from './config.js';
import { service } from './service.js';

const config = loadConfigOrExit(parseAuthConfig);
const logger = createLogger({ service: service.name, level: config.logLevel });
const auth = await createApp({ config, logger, watchSigningKeys: true });

if (auth.demoPasswordFile !== undefined) {
  // Never the passwords themselves: this output is the container's log. `./airlock start` and stack-up print them.
  logger.info(
    { file: auth.demoPasswordFile, generated: auth.generatedDemoPasswords !== undefined },
    'demo users enabled; each has its own password, kept in the data folder',
  );
}

process.on('SIGHUP', () => {
  auth.reloadSigningKeys().catch((error: unknown) => {
    logger.error({ err: error }, 'signing-key reload failed; keeping the loaded keys');
  });
});

try {
  await startServer(auth.app, {
    port: config.port,
    reusePort: config.reusePort,
    host: config.host,
    logger,
    onShutdown: () => auth.close(),
  });
  logger.info({ issuer: config.issuer, activeKid: auth.signingKeys().activeKid }, 'auth listening');
} catch (error) {
  if (error instanceof ServerStartError) process.exit(1);
  throw error;
}
