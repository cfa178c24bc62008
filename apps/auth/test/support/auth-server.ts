// Starts the real auth on a loopback port with a data folder of the test's own, exactly as index.ts does
// but without globals, so suites can restart it, rotate its keys and look at its files.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@airlock/service-kit';
import { openServiceDatabase } from '@airlock/service-kit/database';
import type { DatabaseLocation } from '@airlock/service-kit/database';
import { createApp, type AuthApp } from '../../src/app.js';
import { parseAuthConfig } from '../../src/config.js';
import { oidcMigrations } from '../../src/provider/oidc-store.js';
import type { LoginRateLimiterOptions } from '../../src/users/login-rate-limiter.js';

/** Made per test run: the repository holds no password, not even a test one. */
export const DEMO_PASSWORD = randomBytes(18).toString('base64url');
export const WEB_CALLBACK_PATH = '/web/callback';

export interface RunningAuth {
  readonly issuer: string;
  readonly origin: string;
  readonly port: number;
  readonly dataDir: string;
  readonly auth: AuthApp;
  /** Where its OidcStore is: PostgreSQL when the test gave a database, else the SQLite file in its data folder. */
  readonly database: DatabaseLocation;
  stop(): Promise<void>;
}

export interface StartAuthOptions {
  readonly dataDir?: string;
  /** Reuse a port (restart tests keep the issuer). */
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** A database of useTestDatabases (either engine); default: SQLite in the data folder. */
  readonly database?: { readonly databaseUrl: URL | undefined };
  readonly rateLimits?: LoginRateLimiterOptions;
  readonly watchSigningKeys?: boolean;
  /** Collects the server's log lines (level info) instead of discarding them. */
  readonly logLines?: string[];
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'airlock-auth-test-'));
}

export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function collect(lines: string[]): { write(line: string): void } {
  return {
    write(line: string) {
      lines.push(line);
    },
  };
}

export async function startAuth(options: StartAuthOptions = {}): Promise<RunningAuth> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}/auth`;
  const config = parseAuthConfig({
    AIRLOCK_DATA_DIR: dataDir,
    AIRLOCK_AUTH_ISSUER: issuer,
    AIRLOCK_DEMO_PASSWORD: DEMO_PASSWORD,
    AIRLOCK_AUTH_WEB_REDIRECT_URIS: `${origin}${WEB_CALLBACK_PATH}`,
    LOG_LEVEL: 'silent',
    ...(options.database?.databaseUrl === undefined
      ? {}
      : { AIRLOCK_DATABASE_URL: options.database.databaseUrl.href }),
    ...options.env,
  });
  const auth = await createApp({
    config,
    logger:
      options.logLines === undefined
        ? createLogger({ service: 'auth', level: 'silent' })
        : createLogger({ service: 'auth', level: 'info', destination: collect(options.logLines) }),
    watchSigningKeys: options.watchSigningKeys ?? false,
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
  });
  server.on('request', auth.app);
  return {
    issuer,
    origin,
    port,
    dataDir,
    auth,
    database: { databaseUrl: config.databaseUrl, sqliteFile: join(config.authDir, 'auth.db') },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await auth.close();
    },
  };
}

/** How many rows auth's store holds (of one model, if given), on whichever engine it runs. */
export async function storedRowCount(server: RunningAuth, model?: string): Promise<number> {
  const db = await openServiceDatabase(server.database, oidcMigrations);
  try {
    const row =
      model === undefined
        ? await db.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM oidc_model')
        : await db.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM oidc_model WHERE model = ?', [model]);
    return Number(row?.['n']);
  } finally {
    await db.close();
  }
}
