// PostgreSQL and Redis for `./airlock start --shared-state`: Debian's servers on loopback, their data and
// generated passwords under the stack's data folder (so a restart keeps both), one database per service, and a
// clean stop. Tests use @airlock/testing's throwaway servers instead; this one is for a long-running dev stack.
// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user Debian's package creates.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { freePort, LocalStackError } from './start-local-stack.js';

const run = promisify(execFile);

/** Debian installs each major version's server binaries here. */
const POSTGRES_ROOT = '/usr/lib/postgresql';
/** The cluster's superuser; each service gets a database of its own on it. */
const SUPERUSER = 'airlock';
/** The system user the server runs as when the stack runs as root (PostgreSQL refuses root). */
const SERVER_USER_WHEN_ROOT = 'postgres';
const REDIS_START_TIMEOUT_MS = 10_000;
const REDIS_STOP_TIMEOUT_MS = 5_000;

export interface SharedStateServers {
  /** `redis://:<password>@127.0.0.1:<port>`, for AIRLOCK_REDIS_URL. */
  readonly redisUrl: string;
  /** The postgres://… URL of the service's own database (AIRLOCK_DATABASE_URL). */
  databaseUrlOf(service: string): string;
  /** Stops both servers; their data stays for the next start. */
  stop(): Promise<void>;
}

export interface SharedStateOptions {
  /** The stack's data folder: PostgreSQL's cluster goes to `postgres/`, Redis's append-only file to `redis/`. */
  readonly dataDir: string;
  /** One database each (created at the first start). */
  readonly services: readonly string[];
  /** Runs when a binary is missing: the project's installer (scripts/ensure-system-packages.sh). */
  readonly install: () => Promise<void>;
}

export async function startSharedStateServers(options: SharedStateOptions): Promise<SharedStateServers> {
  if (postgresBinDir() === undefined || !onPath('redis-server')) await options.install();
  const bin = postgresBinDir();
  if (bin === undefined || !onPath('redis-server')) {
    throw new LocalStackError(
      'not_installed',
      'PostgreSQL or redis-server is missing after the install step',
    );
  }
  const postgres = await startPostgres(bin, join(options.dataDir, 'postgres'));
  try {
    for (const service of options.services) await postgres.ensureDatabase(databaseNameOf(service));
    const redis = await startRedis(join(options.dataDir, 'redis'));
    return {
      redisUrl: redis.url,
      databaseUrlOf: (service) => postgres.urlOf(databaseNameOf(service)),
      async stop() {
        await redis.stop();
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/** PostgreSQL database names: the service's name with `-` as `_`. */
function databaseNameOf(service: string): string {
  return `airlock_${service.replaceAll('-', '_')}`;
}

interface Postgres {
  urlOf(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

async function startPostgres(bin: string, folder: string): Promise<Postgres> {
  const asUser = process.getuid?.() === 0 ? SERVER_USER_WHEN_ROOT : undefined;
  const cluster = join(folder, 'cluster');
  const runDir = join(folder, 'run');
  const passwordFile = join(folder, 'password');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (!existsSync(join(cluster, 'PG_VERSION'))) {
    rmSync(cluster, { recursive: true, force: true });
    writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
    // initdb reads the password from a file the server's user can read; it is removed right after.
    const initPassword = join(folder, 'initdb-password');
    writeFileSync(initPassword, readFileSync(passwordFile), { mode: 0o600 });
    mkdirSync(cluster, { mode: 0o700 });
    if (asUser !== undefined) giveTo(asUser, folder, [initPassword, cluster]);
    try {
      await runAs(
        asUser,
        join(bin, 'initdb'),
        [
          ['--pgdata', cluster],
          ['--username', SUPERUSER],
          ['--pwfile', initPassword],
          ['--auth', 'scram-sha-256'],
          ['--encoding', 'UTF8'],
          ['--no-instructions'],
        ].flat(),
      );
    } finally {
      rmSync(initPassword, { force: true });
    }
  }
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  if (asUser !== undefined) giveTo(asUser, folder, [runDir]);
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await freePort();
  await runAs(asUser, join(bin, 'pg_ctl'), [
    'start',
    '--pgdata',
    cluster,
    '--wait',
    '--log',
    join(runDir, 'server.log'),
    '--options',
    `-p ${String(port)} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${runDir} -c max_connections=200`,
  ]);
  const urlOf = (database: string): string =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${String(port)}/${database}`;
  return {
    urlOf,
    async ensureDatabase(database) {
      const env = { ...process.env, PGUSER: SUPERUSER, PGPASSWORD: password };
      const address = ['--host', '127.0.0.1', '--port', String(port)];
      const { stdout } = await run(
        join(bin, 'psql'),
        [
          ...address,
          '--dbname',
          'postgres',
          '--tuples-only',
          '--no-align',
          '--command',
          `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
        ],
        { env },
      );
      if (stdout.trim() === '1') return;
      await run(join(bin, 'createdb'), [...address, '--maintenance-db', 'postgres', database], { env });
    },
    stop: () => runAs(asUser, join(bin, 'pg_ctl'), ['stop', '--pgdata', cluster, '--mode', 'fast', '--wait']),
  };
}

interface Redis {
  readonly url: string;
  stop(): Promise<void>;
}

async function startRedis(folder: string): Promise<Redis> {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const passwordFile = join(folder, 'password');
  if (!existsSync(passwordFile)) {
    writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await freePort();
  // The password goes in a config file (0600), not on the command line, where any local user could read it.
  const configFile = join(folder, 'redis.conf');
  writeFileSync(
    configFile,
    [
      `port ${String(port)}`,
      'bind 127.0.0.1',
      'protected-mode yes',
      `dir ${folder}`,
      `requirepass ${password}`,
      // Persistence: rate-limit buckets and revocation marks survive a restart of the stack.
      'appendonly yes',
      'save ""',
      'daemonize no',
      'loglevel warning',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child = spawn('redis-server', [configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalStackError('not_ready', `redis-server did not start: ${output}`);
    }
    await sleep(50);
  }
  return {
    url: `redis://:${password}@127.0.0.1:${String(port)}`,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), REDIS_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(killer);
}

/** Whether something on the port answers a Redis PING (NOAUTH counts: it is Redis, and up). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(500, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => {
      done(/^[+-]/.test(chunk.toString('utf8')));
    });
  });
}

/** The newest installed major version's bin folder, or undefined. */
function postgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const newest = readdirSync(POSTGRES_ROOT)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(POSTGRES_ROOT, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : join(POSTGRES_ROOT, newest, 'bin');
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function runAs(asUser: string | undefined, command: string, args: readonly string[]): Promise<void> {
  if (asUser === undefined) await run(command, [...args]);
  else await run('runuser', ['-u', asUser, '--', command, ...args]);
}

/**
 * As root: hands `paths` to the server's user, and lets it pass through `folder` and the data folder above it
 * (execute only: it can reach its own files by name, list nothing).
 */
function giveTo(user: string, folder: string, paths: readonly string[]): void {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  for (const path of paths) chownSync(path, uid, gid);
  chmodSync(folder, 0o711);
  chmodSync(join(folder, '..'), 0o711);
}
