// Starts the local stack: every service of the topology as a local process on loopback, no Docker.
// Checks ports first, passes every service the same derived URLs, waits until each is ready, prints how
// to use the stack, and on Ctrl-C stops everything cleanly. Services generate their own keys on first start
// into the data folder (AIRLOCK_DATA_DIR, default .data at the repository root).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 12_000;
// auth first (everyone verifies its tokens), the gateway last (it is the door).
const START_ORDER = ['auth', 'payments', 'orders', 'image-processor', 'gateway'];

const { airlockTopology, serviceNamed } = await import(
  new URL('../packages/topology/dist/index.js', import.meta.url).href
);

const envName = (service) => `AIRLOCK_${service.toUpperCase().replaceAll('-', '_')}_PORT`;
const portOf = (service) =>
  Number(process.env[envName(service)] ?? serviceNamed(airlockTopology, service).port);
const urlOf = (service) => `http://127.0.0.1:${portOf(service)}`;

const services = START_ORDER.filter((name) => existsSync(join(root, 'apps', name, 'dist', 'index.js')));
if (services.length === 0) {
  console.log('airlock: nothing to run yet (no built services under apps/).');
  process.exit(0);
}

const dataDir = process.env.AIRLOCK_DATA_DIR ?? join(root, '.data');
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const sharedEnv = {
  ...process.env,
  AIRLOCK_DATA_DIR: dataDir,
  AIRLOCK_AUTH_ISSUER: process.env.AIRLOCK_AUTH_ISSUER ?? `${urlOf('gateway')}/auth`,
  AIRLOCK_AUTH_URL: urlOf('auth'),
  // The gateway replaces any client-sent X-Forwarded-For with the peer address, so auth may count failed
  // logins per client address rather than per gateway.
  AIRLOCK_AUTH_TRUST_PROXY: 'true',
  AIRLOCK_ORDERS_URL: urlOf('orders'),
  AIRLOCK_PAYMENTS_URL: urlOf('payments'),
  AIRLOCK_IMAGE_PROCESSOR_URL: urlOf('image-processor'),
  ...Object.fromEntries(services.map((name) => [envName(name), String(portOf(name))])),
};
// Each service learns where its signing keys are published: auth directly, except for the sandbox,
// which can only reach the gateway.
const jwksUrlFor = (service) =>
  service === 'image-processor' ? `${urlOf('gateway')}/auth/jwks` : `${urlOf('auth')}/auth/jwks`;

for (const name of services) {
  if (!(await portIsFree(portOf(name)))) {
    console.error(`airlock: port ${portOf(name)} for ${name} is taken. Free it or set ${envName(name)}.`);
    process.exit(1);
  }
}

const children = new Map();
let stopping = false;
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

for (const name of services) {
  const child = spawn(process.execPath, ['dist/index.js'], {
    cwd: join(root, 'apps', name),
    env: { ...sharedEnv, AIRLOCK_JWKS_URL: jwksUrlFor(name) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`airlock: ${name} exited (${signal ?? code}); stopping the stack.`);
      void stop(1);
    }
  });
  await waitUntilReady(name);
}

const passwordFile = join(dataDir, 'auth', 'demo-password');
const password = process.env.AIRLOCK_DEMO_PASSWORD
  ? '(the value of AIRLOCK_DEMO_PASSWORD)'
  : existsSync(passwordFile)
    ? readFileSync(passwordFile, 'utf8').trim()
    : '(see auth’s output above)';
console.log(`
Airlock is running. Gateway: ${urlOf('gateway')}  (the only entry point; ${services.join(', ')} on loopback)
  Users: alice, bob (users), carol (admin). Password: ${password}
  Get a token:   ./airlock sign-in alice   (AIRLOCK_PASSWORD=<password> to skip the browser)
  Narrated demo: ./airlock demo
Ctrl-C stops everything.`);

async function waitUntilReady(name) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!children.has(name)) return;
    try {
      const response = await fetch(`${urlOf(name)}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) {
        console.log(`airlock: ${name} is ready on ${urlOf(name)}`);
        return;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  console.error(`airlock: ${name} did not become ready within ${READY_TIMEOUT_MS / 1000} s.`);
  await stop(1);
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  // Stop in reverse order: the door closes first.
  for (const name of [...services].reverse()) children.get(name)?.kill('SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (children.size > 0 && Date.now() < deadline) await sleep(100);
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(code);
}

function prefixLines(name, stream, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}
