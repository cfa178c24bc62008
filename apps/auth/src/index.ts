// Starts auth: parse the environment, build the app, listen. SIGHUP reloads the signing keys (the key file
// is also watched); SIGTERM/SIGINT shut down gracefully.
import { ConfigError, createLogger, ServerStartError, startServer } from '@airlock/service-kit';
import { createApp } from './app.js';
import { parseAuthConfig, type AuthConfig } from './config.js';

function configOrExit(): AuthConfig {
  try {
    return parseAuthConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`auth: ${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const logger = createLogger({ service: 'auth', level: config.logLevel });
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
    host: config.host,
    logger,
    onShutdown: () => auth.close(),
  });
  logger.info({ issuer: config.issuer, activeKid: auth.signingKeys().activeKid }, 'auth listening');
} catch (error) {
  if (error instanceof ServerStartError) process.exit(1);
  throw error;
}
