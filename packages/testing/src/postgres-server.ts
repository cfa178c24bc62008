// A real PostgreSQL server for one test file: initdb into a temporary folder, a free loopback port, its unix
// socket inside that folder, password authentication with a generated password; stopped and deleted after.
// PostgreSQL refuses to run as root: when the suite runs as root, the server runs as the `postgres` system
// user that Debian's package creates (through runuser), never skipped. CI runs as the unprivileged airlock-ci.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '@airlock/local-stack';

const run = promisify(execFile);

/** Debian installs each major version's server binaries here. */
const POSTGRES_ROOT = '/usr/lib/postgresql';
/** The superuser of the throwaway cluster; tests connect as it and create a database each. */
const SUPERUSER = 'airlock_test';
/** The system user the server runs as when the suite runs as root. */
const SERVER_USER_WHEN_ROOT = 'postgres';
const START_ATTEMPTS = 3;

export interface PostgresServer {
  /** postgres://… of the cluster's `postgres` database, as the superuser. */
  readonly adminUrl: string;
  /** A new empty database; returns its postgres://… URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server but keeps its data: an outage, for tests that prove failing closed and recovering. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port with the same data. */
  resume(): Promise<void>;
  /** Stops the server (fast shutdown) and deletes its folder. */
  stop(): Promise<void>;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const folder = mkdtempSync(join(tmpdir(), 'airlock-pg-'));
  const asUser = serverUser();
  try {
    const password = randomBytes(24).toString('base64url');
    const passwordFile = join(folder, 'password');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    if (asUser !== undefined) chownTree(folder, asUser);
    const dataDir = join(folder, 'data');
    await runAs(asUser, join(bin, 'initdb'), [
      '--pgdata',
      dataDir,
      '--username',
      SUPERUSER,
      '--pwfile',
      passwordFile,
      '--auth',
      'scram-sha-256',
      '--encoding',
      'UTF8',
      '--no-instructions',
    ]);
    rmSync(passwordFile);
    const port = await startOnFreePort(asUser, bin, dataDir, folder);
    const pgCtl = (...args: string[]): Promise<void> => runAs(asUser, join(bin, 'pg_ctl'), args);
    const adminUrl = urlFor(password, port, 'postgres');
    let counter = 0;
    return {
      adminUrl,
      async createDatabase(name?: string): Promise<string> {
        counter += 1;
        const database = name ?? `test_${String(counter)}_${randomBytes(4).toString('hex')}`;
        await run(
          join(bin, 'createdb'),
          ['--host', '127.0.0.1', '--port', String(port), '--maintenance-db', 'postgres', database],
          {
            env: { ...process.env, PGUSER: SUPERUSER, PGPASSWORD: password },
          },
        );
        return urlFor(password, port, database);
      },
      pause: () => pgCtl('stop', '--pgdata', dataDir, '--mode', 'fast', '--wait'),
      resume: () => startServer(asUser, bin, dataDir, folder, port),
      async stop(): Promise<void> {
        try {
          await pgCtl('stop', '--pgdata', dataDir, '--mode', 'fast', '--wait');
        } finally {
          rmSync(folder, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

function urlFor(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${String(port)}/${database}`;
}

/** The newest installed major version's bin folder; throws with the install hint when there is none. */
export function postgresBinDir(): string {
  const versions = existsSync(POSTGRES_ROOT)
    ? readdirSync(POSTGRES_ROOT)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(join(POSTGRES_ROOT, entry, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(`no PostgreSQL under ${POSTGRES_ROOT}: run scripts/ensure-system-packages.sh`);
  }
  return join(POSTGRES_ROOT, newest, 'bin');
}

async function startOnFreePort(
  asUser: string | undefined,
  bin: string,
  dataDir: string,
  folder: string,
): Promise<number> {
  // Another process may take the probed port before the server binds it: try a fresh one a few times.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      await startServer(asUser, bin, dataDir, folder, port);
      return port;
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
    }
  }
}

async function startServer(
  asUser: string | undefined,
  bin: string,
  dataDir: string,
  folder: string,
  port: number,
): Promise<void> {
  const options = [
    `-p ${String(port)}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${folder}`,
    '-c fsync=off',
    '-c max_connections=200',
  ].join(' ');
  await runAs(asUser, join(bin, 'pg_ctl'), [
    'start',
    '--pgdata',
    dataDir,
    '--wait',
    '--log',
    join(folder, 'server.log'),
    '--options',
    options,
  ]);
}

function serverUser(): string | undefined {
  return process.getuid?.() === 0 ? SERVER_USER_WHEN_ROOT : undefined;
}

async function runAs(asUser: string | undefined, command: string, args: readonly string[]): Promise<void> {
  if (asUser === undefined) await run(command, [...args]);
  else await run('runuser', ['-u', asUser, '--', command, ...args]);
}

function chownTree(folder: string, user: string): void {
  const uid = Number(execFileSyncText('id', ['-u', user]));
  const gid = Number(execFileSyncText('id', ['-g', user]));
  chownSync(folder, uid, gid);
  for (const entry of readdirSync(folder)) chownSync(join(folder, entry), uid, gid);
}

function execFileSyncText(command: string, args: readonly string[]): string {
  return execFileSync(command, [...args], { encoding: 'utf8' }).trim();
}
