// Builds auth: the key material, stores, users and clients from the data folder, oidc-provider behind an
// Express app that owns the transport concerns (security headers, body limits, generic errors, the issuer's
// host), and the sign-in routes. Testable on port 0; `index.ts` only listens.
import { unwatchFile, watchFile } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Express, RequestHandler } from 'express';
import {
  createRouter,
  createServiceApp,
  finishApp,
  methodNotAllowedHandler,
  payloadTooLarge,
  type Logger,
} from '@airlock/service-kit';
import { airlockTopology, tokenExchangeRules } from '@airlock/topology';
import type { Provider } from 'oidc-provider';
import { ClientRegistry } from './clients/client-registry.js';
import { AUTH_PATH_PREFIX, type AuthConfig } from './config.js';
import { ensureCookieKeys } from './keys/cookie-keys.js';
import { loadSigningKeys, type LoadedSigningKeys } from './keys/loaded-signing-keys.js';
import { ensureSigningKeySet, readSigningKeySet, signingKeysPath } from './keys/signing-key-file.js';
import { createProvider } from './provider/create-provider.js';
import { openOidcStore } from './provider/oidc-store.js';
import { connectAuthSharedState, type AuthSharedState } from './shared-state.js';
import type { InteractionDeps } from './routes/interaction-context.js';
import { loginRoute } from './routes/interaction.login.js';
import { clientAddressFromGateway } from './routes/client-address.js';
import { showInteraction } from './routes/interaction.show.js';
import { LoginRateLimiter, type LoginRateLimiterOptions } from './users/login-rate-limiter.js';
import { demoUsers, usersFromFile, type UserStore } from './users/user-store.js';

/** Token, revocation and introspection requests are a few hundred bytes; anything near this is not one. */
export const PROVIDER_BODY_LIMIT_BYTES = 16 * 1024;
/** How often the running server checks the signing-key file for a rotation step. */
export const KEY_FILE_POLL_MS = 1000;
/** RFC 8252 loopback redirects of the CLI, on any port. */
const CLI_FORM_ACTION_SOURCE = 'http://127.0.0.1:*';

export interface AuthAppDeps {
  readonly config: AuthConfig;
  readonly logger: Logger;
  /** Watch the signing-key file and reload on change; off in tests that reload explicitly. */
  readonly watchSigningKeys?: boolean;
  readonly rateLimits?: LoginRateLimiterOptions;
}

export interface AuthApp {
  readonly app: Express;
  /** The provider currently serving requests (replaced when the signing keys change). */
  provider(): Provider;
  signingKeys(): LoadedSigningKeys;
  /** Re-reads the signing-key file; resolves true when the keys changed and the provider was rebuilt. */
  reloadSigningKeys(): Promise<boolean>;
  /** Set when this start generated the demo users' passwords (one each): say where they are, once. */
  readonly generatedDemoPasswords: Readonly<Record<string, string>> | undefined;
  readonly demoPasswordFile: string | undefined;
  close(): Promise<void>;
}

interface Serving {
  readonly keys: LoadedSigningKeys;
  readonly provider: Provider;
  readonly handle: ReturnType<Provider['callback']>;
}

export async function createApp(deps: AuthAppDeps): Promise<AuthApp> {
  const { config, logger } = deps;
  await mkdir(config.authDir, { recursive: true, mode: 0o700 });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const keySet = await ensureSigningKeySet(config.authDir, nowSeconds());
  const cookieKeys = await ensureCookieKeys(config.authDir);
  const store = await openOidcStore({
    databaseUrl: config.databaseUrl,
    sqliteFile: join(config.authDir, 'auth.db'),
  });
  store.startPurging();
  const shared = connectAuthSharedState(config, logger, deps.rateLimits);

  let users: UserStore;
  let generatedDemoPasswords: Readonly<Record<string, string>> | undefined;
  let demoPasswordFile: string | undefined;
  if (config.usersFile === undefined) {
    const demo = await demoUsers(config.authDir, config.demoPassword);
    users = demo.store;
    generatedDemoPasswords = demo.generatedPasswords;
    demoPasswordFile = config.demoPassword === undefined ? demo.passwordFile : undefined;
  } else {
    users = await usersFromFile(config.usersFile);
  }

  const clients = new ClientRegistry({
    webRedirectUris: config.webRedirectUris,
    workloadKeysDir: config.workloadKeysDir,
    logger,
  });
  const rules = tokenExchangeRules(airlockTopology);

  let serving: Serving;
  const build = (keys: LoadedSigningKeys): Serving => {
    const provider = createProvider({
      issuer: config.issuer,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      sessionTtlSeconds: config.sessionTtlSeconds,
      cookieKeys,
      keys,
      store,
      clients,
      users,
      exchange: { rules, keys: () => serving.keys },
      logger,
      onAccessTokensRevoked: shared?.publishRevoked,
    });
    return { keys, provider, handle: provider.callback() };
  };
  serving = build(await loadSigningKeys(keySet));

  const reloadSigningKeys = async (): Promise<boolean> => {
    const next = await readSigningKeySet(config.authDir);
    if (next === undefined) throw new Error('the signing-key file disappeared; keeping the loaded keys');
    if (JSON.stringify(next) === JSON.stringify(serving.keys.set)) return false;
    serving = build(await loadSigningKeys(next));
    logger.info(
      { activeKid: serving.keys.activeKid, kids: next.keys.map((key) => `${key.kid}:${key.status}`) },
      'signing keys reloaded',
    );
    return true;
  };

  const keyFile = signingKeysPath(config.authDir);
  if (deps.watchSigningKeys === true) {
    watchFile(keyFile, { interval: KEY_FILE_POLL_MS }, () => {
      reloadSigningKeys().catch((error: unknown) => {
        // A broken edit must not take the keys away from a running server: keep signing with what works.
        logger.error({ err: error }, 'signing-key reload failed; keeping the loaded keys');
      });
    });
  }

  const app = createServiceApp({
    logger,
    // Only the gateway and services reach auth (identity enclave), so their request ids are kept.
    trustIncomingRequestId: true,
    readiness: () => store.ping(),
  });
  if (config.trustProxy) app.set('trust proxy', 1);

  const interactionDeps: InteractionDeps = {
    provider: () => serving.provider,
    issuer: config.issuer,
    pathPrefix: AUTH_PATH_PREFIX,
    clients,
    users,
    limiter: shared?.loginLimiter ?? new LoginRateLimiter(deps.rateLimits),
    formActionSources: [
      CLI_FORM_ACTION_SOURCE,
      ...new Set(config.webRedirectUris.map((uri) => new URL(uri).origin)),
    ],
    clientAddress: clientAddressFromGateway({
      workloadKeysDir: config.workloadKeysDir,
      issuer: config.issuer,
      logger,
    }),
    logger,
  };

  app.use(
    AUTH_PATH_PREFIX,
    authRoutes(config, interactionDeps, () => serving, shared),
  );
  finishApp(app, { logger });

  return {
    app,
    provider: () => serving.provider,
    signingKeys: () => serving.keys,
    reloadSigningKeys,
    generatedDemoPasswords,
    demoPasswordFile,
    close: async () => {
      unwatchFile(keyFile);
      await store.close();
      await shared?.close();
    },
  };
}

function authRoutes(
  config: AuthConfig,
  interaction: InteractionDeps,
  current: () => Serving,
  shared: AuthSharedState | undefined,
) {
  const issuer = new URL(config.issuer);
  const router = createRouter();

  // Every URL oidc-provider builds comes from the host and scheme it sees: make those the issuer's, so a
  // forged Host or X-Forwarded-* header can never change what discovery or a redirect advertises.
  const forward: RequestHandler = (req, res) => {
    delete req.headers.forwarded;
    delete req.headers['x-forwarded-port'];
    delete req.headers['x-forwarded-prefix'];
    if (!config.trustProxy) delete req.headers['x-forwarded-for'];
    req.headers.host = issuer.host;
    req.headers['x-forwarded-host'] = issuer.host;
    req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
    void current().handle(req, res);
  };

  const limitBody: RequestHandler = (req, _res, next) => {
    const length = Number(req.get('content-length') ?? '0');
    next(Number.isFinite(length) && length <= PROVIDER_BODY_LIMIT_BYTES ? undefined : payloadTooLarge());
  };

  // With shared state configured, no token is issued while Redis is unreachable (see shared-state.ts).
  const requireSharedState: RequestHandler = (_req, res, next) => {
    if (shared === undefined || shared.available()) {
      next();
      return;
    }
    res.setHeader('Retry-After', '1');
    res.setHeader('Cache-Control', 'no-store');
    res.status(503).json({
      error: 'temporarily_unavailable',
      error_description: 'The service is temporarily unavailable.',
    });
  };

  const publicCache =
    (seconds: number): RequestHandler =>
    (_req, res, next) => {
      res.setHeader('Cache-Control', `public, max-age=${seconds}`);
      next();
    };

  const get = (path: string, ...handlers: RequestHandler[]) =>
    router
      .route(path)
      .get(...handlers)
      .all(methodNotAllowedHandler(['GET', 'HEAD']));
  const post = (path: string, ...handlers: RequestHandler[]) =>
    router
      .route(path)
      .post(...handlers)
      .all(methodNotAllowedHandler(['POST']));

  get('/.well-known/openid-configuration', publicCache(config.jwksCacheMaxAgeSeconds), forward);
  get('/jwks', publicCache(config.jwksCacheMaxAgeSeconds), forward);
  get('/authorize', forward);
  get('/authorize/:uid', forward);
  post('/token', requireSharedState, limitBody, forward);
  post('/token/revocation', limitBody, forward);
  post('/token/introspection', limitBody, forward);
  router
    .route('/interaction/:uid')
    .get(showInteraction(interaction))
    .all(methodNotAllowedHandler(['GET', 'HEAD']));
  router
    .route('/interaction/:uid/login')
    .post(...loginRoute(interaction))
    .all(methodNotAllowedHandler(['POST']));
  return router;
}
