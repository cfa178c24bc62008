#!/usr/bin/env node
// `./airlock start`: the whole stack on loopback, no Docker. Ports come from the topology unless
// AIRLOCK_<SERVICE>_PORT says otherwise; keys and data go to AIRLOCK_DATA_DIR (default .data at the
// repository root). Prints how to sign in once everything is ready; Ctrl-C stops everything cleanly.
// `--shared-state`: PostgreSQL and Redis too (installed when missing), and two replicas of the services that
// keep their state there, each pair on its service's one port.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LocalStackError,
  portEnvName,
  START_ORDER,
  startLocalStack,
  type ServiceName,
} from '../start-local-stack.js';
import { sharedStateReplicas, startSharedStateStack } from '../start-shared-state-stack.js';

const rootDir = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = process.env.AIRLOCK_DATA_DIR ?? join(rootDir, '.data');

const SHARED_STATE_FLAG = '--shared-state';
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== SHARED_STATE_FLAG);
if (unknown.length > 0) {
  console.error(`airlock: unknown option ${unknown.join(' ')} (start takes only ${SHARED_STATE_FLAG})`);
  process.exit(2);
}
const sharedState = args.includes(SHARED_STATE_FLAG);

const ports: Partial<Record<ServiceName, number>> = {};
for (const service of START_ORDER) {
  const value = process.env[portEnvName(service)];
  if (value === undefined) continue;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`airlock: ${portEnvName(service)} must be a port number (1-65535)`);
    process.exit(1);
  }
  ports[service] = port;
}

// auth generates one password per demo user at its first start; they are printed here once, never by auth
// (whose output is a container's log elsewhere).
const passwordFile = join(dataDir, 'auth', 'demo-passwords.json');
const firstStart = !existsSync(passwordFile);

let stopping = false;
const stackOptions = {
  rootDir,
  dataDir,
  ports,
  onOutput: (service: string, line: string, stream: 'stdout' | 'stderr') =>
    (stream === 'stdout' ? process.stdout : process.stderr).write(`[${service}] ${line}\n`),
  onUnexpectedExit: (service: string, code: number | null, signal: string | null) => {
    console.error(`airlock: ${service} exited (${signal ?? String(code)}); stopping the stack.`);
    void shutdown(1);
  },
};
const running = await (
  sharedState
    ? startSharedStateStack({ ...stackOptions, install: installSystemPackages })
    : startLocalStack(stackOptions).then((stack) => ({ stack, stop: () => stack.stop() }))
).catch((error: unknown) => {
  console.error(`airlock: ${error instanceof LocalStackError ? error.message : String(error)}`);
  process.exit(1);
});
const { stack } = running;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await running.stop();
  process.exit(code);
}

/** scripts/ensure-system-packages.sh: installs PostgreSQL and Redis with apt-get (as root), or says how. */
function installSystemPackages(): Promise<void> {
  return new Promise((resolve, reject) => {
    const installer = spawn(join(rootDir, 'scripts', 'ensure-system-packages.sh'), [], { stdio: 'inherit' });
    installer.once('error', reject);
    installer.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error('scripts/ensure-system-packages.sh could not install PostgreSQL and Redis'));
    });
  });
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const passwords =
  process.env.AIRLOCK_DEMO_PASSWORD !== undefined
    ? '  Password: the value of AIRLOCK_DEMO_PASSWORD (every demo user shares it: a test override)'
    : firstStart && existsSync(passwordFile)
      ? demoPasswordLines(readFileSync(passwordFile, 'utf8'))
      : `  Each user's password is in ${passwordFile} (printed only at the first start)`;
console.log(`
Airlock is running. Gateway: ${stack.edgeUrl}  (the only entry point; the other services listen on loopback)
${sharedState ? sharedStateLine() : '  State: embedded (SQLite files and in-memory limits); --shared-state runs replicas on PostgreSQL and Redis'}
  Users: alice, bob (users), carol (admin), each with a password of its own.
${passwords}
  Get a token:   ./airlock sign-in alice   (reads alice's password from the data folder; AIRLOCK_PASSWORD sets another)
  Narrated demo: ./airlock demo
Ctrl-C stops everything.`);

function demoPasswordLines(text: string): string {
  const parsed = JSON.parse(text) as unknown;
  const entries = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed) : [];
  return entries.map(([username, password]) => `  ${username}: ${String(password)}`).join('\n');
}

function sharedStateLine(): string {
  const replicated = Object.entries(sharedStateReplicas())
    .filter(([, count]) => count > 1)
    .map(([service, count]) => `${String(count)} ${service}`);
  return `  State: PostgreSQL and Redis on loopback (data in ${dataDir}); replicas: ${replicated.join(', ')} (each pair on one port)`;
}
