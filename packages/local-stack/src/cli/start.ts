#!/usr/bin/env node
// `./airlock start`: the whole stack on loopback, no Docker. Ports come from the topology unless
// AIRLOCK_<SERVICE>_PORT says otherwise; keys and data go to AIRLOCK_DATA_DIR (default .data at the
// repository root). Prints how to sign in once everything is ready; Ctrl-C stops everything cleanly.
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

const rootDir = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = process.env.AIRLOCK_DATA_DIR ?? join(rootDir, '.data');

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
const stack = await startLocalStack({
  rootDir,
  dataDir,
  ports,
  onOutput: (service, line, stream) =>
    (stream === 'stdout' ? process.stdout : process.stderr).write(`[${service}] ${line}\n`),
  onUnexpectedExit: (service, code, signal) => {
    console.error(`airlock: ${service} exited (${signal ?? String(code)}); stopping the stack.`);
    void shutdown(1);
  },
}).catch((error: unknown) => {
  console.error(`airlock: ${error instanceof LocalStackError ? error.message : String(error)}`);
  process.exit(1);
});

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
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
