// A store's one-shot init (infra/src/stack.ts, storeInitOf): at first start it creates the store's files and one
// credential per user, each written into that user's own volume (a connection URL, mode 0400); afterwards it finds
// them and exits at once. It runs with no network, as 65532, before the store starts. Input: argv[2], a JSON plan.
// PostgreSQL: initdb with a generated superuser secret kept in the store's volume alone (no network login for it),
// then in single-user mode (no server, no socket) one role and one database per user, given as a SCRAM verifier
// so the password itself never reaches the cluster. Redis: an ACL file with the default user off and one user per
// service, stored as SHA-256 hashes.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const SCRAM_ITERATIONS = 4096;
const plan = JSON.parse(process.argv[2] ?? '{}');
const marker = `${plan.storeDir}/initialised`;
const credentialOf = (user) => `${plan.credentialsDir}/${user}/${plan.credentialFile}`;
const secret = () => randomBytes(32).toString('base64url');
const log = (message) => console.log(`store-init ${plan.instance}: ${message}`);

if (existsSync(marker) && plan.users.every((user) => existsSync(credentialOf(user)))) {
  log('already initialised');
  process.exit(0);
}
if (existsSync(marker)) {
  // A credential volume was removed but the store kept its data: refuse rather than hand out new secrets silently.
  console.error(
    `store-init ${plan.instance}: a credential is missing; remove the store's volumes to start over`,
  );
  process.exit(1);
}

const passwords = Object.fromEntries(plan.users.map((user) => [user, secret()]));
if (plan.engine === 'postgresql') initPostgres();
else if (plan.engine === 'redis') initRedis();
else {
  console.error(`store-init: unknown engine ${String(plan.engine)}`);
  process.exit(1);
}
for (const [user, url] of Object.entries(urls()))
  writeFileSync(credentialOf(user), `${url}\n`, { mode: 0o400 });
writeFileSync(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
log(`initialised for ${plan.users.join(', ')}`);

function urls() {
  return Object.fromEntries(
    plan.users.map((user) => {
      const scheme = plan.engine === 'postgresql' ? 'postgres' : 'redis';
      const database = plan.engine === 'postgresql' ? `/${user}` : '';
      return [user, `${scheme}://${user}:${passwords[user]}@${plan.instance}:${plan.port}${database}`];
    }),
  );
}

function initPostgres() {
  const pgdata = `${plan.storeDir}/pgdata`;
  // A previous attempt that died half-way left no marker: start from nothing.
  rmSync(pgdata, { recursive: true, force: true });
  const superuserSecret = secret();
  const pwfile = '/tmp/superuser-secret';
  writeFileSync(pwfile, superuserSecret, { mode: 0o600 });
  execFileSync(
    `${POSTGRES_BIN}/initdb`,
    [
      '-D',
      pgdata,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { TZ: 'UTC', PATH: POSTGRES_BIN } },
  );
  rmSync(pwfile);
  writeFileSync(`${plan.storeDir}/superuser-secret`, superuserSecret, { mode: 0o600 });

  const sql = [
    'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;',
    'REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;',
    ...plan.users.flatMap((user) => [
      `CREATE ROLE "${user}" LOGIN PASSWORD '${scramVerifier(passwords[user])}';`,
      `CREATE DATABASE "${user}" OWNER "${user}";`,
      `REVOKE ALL ON DATABASE "${user}" FROM PUBLIC;`,
      `GRANT CONNECT, TEMPORARY ON DATABASE "${user}" TO "${user}";`,
    ]),
  ].join('\n');
  const output = execFileSync(`${POSTGRES_BIN}/postgres`, ['--single', '-D', pgdata, 'postgres'], {
    input: `${sql}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { TZ: 'UTC' },
  });
  if (/ERROR|FATAL/.test(output)) throw new Error(`single-user setup failed:\n${output}`);

  // Each role to its own database, from its data network only, with SCRAM; nobody else, the superuser included.
  writeFileSync(
    `${pgdata}/pg_hba.conf`,
    [
      '# Written by the store init: one role, one database, its data network, SCRAM; nothing else.',
      ...plan.users.map((user) => `host "${user}" "${user}" samenet scram-sha-256`),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  appendFileSync(
    `${pgdata}/postgresql.conf`,
    [
      '',
      '# Airlock (store init): TCP on the data network only, no Unix socket, small for one service.',
      "listen_addresses = '*'",
      `port = ${plan.port}`,
      "unix_socket_directories = ''",
      'max_connections = 40',
      'shared_buffers = 16MB',
      'jit = off',
      "password_encryption = 'scram-sha-256'",
      'log_connections = on',
      "timezone = 'UTC'",
      "log_timezone = 'UTC'",
      '',
    ].join('\n'),
  );
}

/** PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 5802/7677): what the server keeps, not the secret. */
function scramVerifier(password) {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function initRedis() {
  // Keys and channels under airlock: only; no administrative or dangerous command but INFO (ioredis' ready check).
  const lines = [
    'user default off resetkeys resetchannels -@all',
    ...plan.users.map(
      (user) =>
        `user ${user} on #${createHash('sha256').update(passwords[user]).digest('hex')} resetkeys ~airlock:* resetchannels &airlock:* -@all +@all -@dangerous +info`,
    ),
    '',
  ];
  writeFileSync(`${plan.storeDir}/users.acl`, lines.join('\n'), { mode: 0o600 });
}
