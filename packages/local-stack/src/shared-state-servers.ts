// PostgreSQL and Redis for `./airlock start --shared-state`: Debian's servers on loopback, their data and
// generated passwords under the stack's data folder (so a restart keeps both), one database and one role per
// service (each role owns its database and can open no other; the superuser only sets them up), and a clean
// stop. Tests use @airlock/testing's throwaway servers instead; this one is for a long-running dev stack.
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
/** The cluster's superuser: it creates each service's role and database, and no service connects as it. */
const SUPERUSER = 'airlock';
/** Under the PostgreSQL folder: one file per service role with its generated password (0600). */
const ROLE_PASSWORDS_DIR = 'roles';
/** The system user the server runs as when the stack runs as root (PostgreSQL refuses root). */
const SERVER_USER_WHEN_ROOT = 'postgres';
const REDIS_START_TIMEOUT_MS = 10_000;
const REDIS_STOP_TIMEOUT_MS = 5_000;

export interface SharedStateServers {
  /** `redis://:<password>@127.0.0.1:<port>`, for AIRLOCK_REDIS_URL. */
  readonly redisUrl: string;
  /** The postgres://… URL of the service's own database, as its own role (AIRLOCK_DATABASE_URL). */
  databaseUrlOf(service: string): string;
  /** Stops both servers; their data stays for the next start. */
  stop(): Promise<void>;
}

export interface SharedStateOptions {
  /** The stack's data folder: PostgreSQL's cluster goes to `postgres/`, Redis's append-only file to `redis/`. */
  readonly dataDir: string;
  /** One database and one role each (created at the first start, kept after). */
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
    const urls = new Map<string, string>();
    for (const service of options.services) {
      urls.set(service, await postgres.ensureServiceDatabase(databaseNameOf(service)));
    }
    const redis = await startRedis(join(options.dataDir, 'redis'));
    return {
      redisUrl: redis.url,
      databaseUrlOf(service) {
        const url = urls.get(service);
        if (url === undefined)
          throw new LocalStackError('not_ready', `no database was set up for ${service}`);
        return url;
      },
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

/** A service's PostgreSQL database, and its role of the same name: the service's name with `-` as `_`. */
function databaseNameOf(service: string): string {
  return `airlock_${service.replaceAll('-', '_')}`;
}

interface Postgres {
  /**
   * Creates, when missing, the role `name` (a login with a generated password, nothing more) and the database
   * `name` it owns and alone may open; returns its URL as that role. A second start keeps both and the password.
   */
  ensureServiceDatabase(name: string): Promise<string>;
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
  return {
    ensureServiceDatabase: (name) =>
      ensureServiceDatabase({ bin, port, superuserPassword: password, folder }, name),
    stop: () => runAs(asUser, join(bin, 'pg_ctl'), ['stop', '--pgdata', cluster, '--mode', 'fast', '--wait']),
  };
}

interface Cluster {
  readonly bin: string;
  readonly port: number;
  readonly superuserPassword: string;
  /** The PostgreSQL folder in the stack's data folder. */
  readonly folder: string;
}

async function ensureServiceDatabase(cluster: Cluster, name: string): Promise<string> {
  const { password, generated } = rolePassword(cluster.folder, name);
  const found = await superuserSql(
    cluster,
    'postgres',
    `SELECT (SELECT COUNT(*) FROM pg_roles WHERE rolname = '${name}') || ',' ||
            (SELECT COUNT(*) FROM pg_database WHERE datname = '${name}');`,
  );
  const [roleExists, databaseExists] = found.split(',').map((count) => count === '1');
  // Nothing but a login: no superuser, no databases or roles of its own making. (It inherits only what
  // pg_database_owner gives the owner of its database: creating tables in its public schema.)
  const role = `ROLE "${name}" LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`;
  const setup: string[] = [];
  if (roleExists !== true) setup.push(`CREATE ${role};`);
  // The role is there but its password file is gone: the new password replaces the old one.
  else if (generated) setup.push(`ALTER ${role};`);
  if (databaseExists === true) setup.push(`ALTER DATABASE "${name}" OWNER TO "${name}";`);
  if (setup.length > 0) await superuserSql(cluster, 'postgres', setup.join('\n'));
  // CREATE DATABASE cannot run in the transaction a multi-statement script is.
  if (databaseExists !== true) {
    await superuserSql(cluster, 'postgres', `CREATE DATABASE "${name}" OWNER "${name}";`);
  }
  // A database of its own and nobody else's (PUBLIC may connect to any database unless revoked); nor may a
  // service role open the cluster's own databases.
  await superuserSql(
    cluster,
    'postgres',
    [
      `REVOKE ALL ON DATABASE "${name}" FROM PUBLIC;`,
      'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;',
      'REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;',
    ].join('\n'),
  );
  // Tables an earlier start created as the superuser (before each service had a role) pass to the service's role.
  await superuserSql(
    cluster,
    name,
    `DO $$ DECLARE t record; BEGIN
       FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> '${name}' LOOP
         EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t.tablename, '${name}');
       END LOOP;
     END $$;`,
  );
  return `postgres://${name}:${encodeURIComponent(password)}@127.0.0.1:${String(cluster.port)}/${name}`;
}

/** The role's password from its file (0600), generated into it when there is none. */
function rolePassword(folder: string, name: string): { password: string; generated: boolean } {
  const dir = join(folder, ROLE_PASSWORDS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  if (existsSync(file)) return { password: readFileSync(file, 'utf8').trim(), generated: false };
  // base64url: nothing to quote in the SQL that sets it.
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return { password, generated: true };
}

/**
 * Runs `sql` as the superuser in `database` and returns what it prints (unaligned, no headers). The SQL goes
 * through psql's standard input: passwords in it never appear on a command line other local users can read.
 */
function superuserSql(cluster: Cluster, database: string, sql: string): Promise<string> {
  const child = spawn(
    join(cluster.bin, 'psql'),
    [
      ['--host', '127.0.0.1'],
      ['--port', String(cluster.port)],
      ['--username', SUPERUSER],
      ['--dbname', database],
      ['--no-psqlrc', '--quiet', '--tuples-only', '--no-align'],
      ['--set', 'ON_ERROR_STOP=1', '--set', 'VERBOSITY=terse'],
      ['--file', '-'],
    ].flat(),
    { env: { ...process.env, PGPASSWORD: cluster.superuserPassword }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(sql);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout.trim());
      // psql's message names the statement that failed, never the script (so no password is echoed).
      else reject(new LocalStackError('not_ready', `setting up ${database} failed: ${stderr.trim()}`));
    });
  });
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
