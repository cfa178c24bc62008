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

const passwordFile = join(dataDir, 'auth', 'demo-password');
const password =
  process.env.AIRLOCK_DEMO_PASSWORD !== undefined
    ? '(the value of AIRLOCK_DEMO_PASSWORD)'
    : existsSync(passwordFile)
      ? readFileSync(passwordFile, 'utf8').trim()
      : '(see auth’s output above)';
console.log(`
Airlock is running. Gateway: ${stack.edgeUrl}  (the only entry point; the other services listen on loopback)
  Users: alice, bob (users), carol (admin). Password: ${password}
  Get a token:   AIRLOCK_PASSWORD=<password> ./airlock sign-in alice   (without the variable: in a browser)
  Narrated demo: ./airlock demo
Ctrl-C stops everything.`);
