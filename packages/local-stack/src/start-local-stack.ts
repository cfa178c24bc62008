// Runs every service of the topology as a local process on loopback, with the same derived URLs for all,
// waits until each is ready (auth first, the gateway last), and stops them in reverse order.
// `./airlock start` and the cross-service tests both use it, so the stack they run is the same.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { airlockTopology, serviceNamed } from '@airlock/topology';

/** auth first (every service verifies its tokens), the gateway last (it is the door). */
export const START_ORDER = ['auth', 'payments', 'orders', 'image-processor', 'gateway'] as const;
export type ServiceName = (typeof START_ORDER)[number];

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 12_000;

export interface LocalStackOptions {
  /** The repository root: services run from `apps/<name>/dist/index.js`. */
  readonly rootDir: string;
  /** Keys, databases and the demo password live here (`AIRLOCK_DATA_DIR`). */
  readonly dataDir: string;
  readonly ports?: Partial<Record<ServiceName, number>>;
  /** Extra environment for every service (e.g. a demo password, a short cache TTL for tests). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onOutput?: (service: ServiceName, line: string, stream: 'stdout' | 'stderr') => void;
  /** Called when a service exits while the stack is meant to be running. */
  readonly onUnexpectedExit?: (service: ServiceName, code: number | null, signal: string | null) => void;
}

export interface LocalStack {
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** The process id of a running service (for tests that measure it), or undefined when it is stopped. */
  pid(service: ServiceName): number | undefined;
  /** Stops one service (SIGTERM, then SIGKILL after a grace period); the rest keep running. */
  stopService(service: ServiceName): Promise<void>;
  /** Starts a stopped service again on its port and waits until it is ready. */
  startService(service: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  readonly code: 'not_built' | 'port_taken' | 'not_ready';

  constructor(code: LocalStackError['code'], message: string) {
    super(message);
    this.name = 'LocalStackError';
    this.code = code;
  }
}

export function portEnvName(service: ServiceName): string {
  return `AIRLOCK_${service.toUpperCase().replaceAll('-', '_')}_PORT`;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const port = (service: ServiceName): number =>
    options.ports?.[service] ?? serviceNamed(airlockTopology, service).port;
  const urls = Object.fromEntries(
    START_ORDER.map((service) => [service, `http://127.0.0.1:${port(service)}`]),
  ) as Record<ServiceName, string>;

  for (const service of START_ORDER) {
    if (!existsSync(entryOf(options.rootDir, service))) {
      throw new LocalStackError(
        'not_built',
        `${service} is not built (apps/${service}/dist/index.js is missing)`,
      );
    }
    if (!(await portIsFree(port(service)))) {
      throw new LocalStackError(
        'port_taken',
        `port ${port(service)} for ${service} is taken: free it or set ${portEnvName(service)}`,
      );
    }
  }

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const sharedEnv: Record<string, string | undefined> = {
    ...process.env,
    AIRLOCK_DATA_DIR: options.dataDir,
    AIRLOCK_AUTH_ISSUER: `${urls.gateway}/auth`,
    AIRLOCK_AUTH_URL: urls.auth,
    AIRLOCK_ORDERS_URL: urls.orders,
    AIRLOCK_PAYMENTS_URL: urls.payments,
    AIRLOCK_IMAGE_PROCESSOR_URL: urls['image-processor'],
    // The gateway replaces any client-sent X-Forwarded-For with the peer address, so auth may count failed
    // logins per client address rather than per gateway.
    AIRLOCK_AUTH_TRUST_PROXY: 'true',
    ...Object.fromEntries(START_ORDER.map((service) => [portEnvName(service), String(port(service))])),
    ...options.env,
  };
  // Where each service fetches the signing keys: auth directly, except the sandbox, which reaches only the gateway.
  const keysThroughGateway = (service: ServiceName): boolean => service === 'image-processor';
  const jwksUrl = (service: ServiceName): string =>
    keysThroughGateway(service) ? `${urls.gateway}/auth/jwks` : `${urls.auth}/auth/jwks`;

  const children = new Map<ServiceName, ChildProcess>();
  const expectedExits = new Set<ServiceName>();
  let stopping = false;

  const startService = async (service: ServiceName, probe: Probe = '/readyz'): Promise<void> => {
    const child = spawn(process.execPath, ['dist/index.js'], {
      cwd: join(options.rootDir, 'apps', service),
      env: { ...sharedEnv, AIRLOCK_JWKS_URL: options.env?.AIRLOCK_JWKS_URL ?? jwksUrl(service) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(service, child);
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream] }).on('line', (line) =>
        options.onOutput?.(service, line, stream),
      );
    }
    child.on('exit', (code, signal) => {
      children.delete(service);
      if (!stopping && !expectedExits.delete(service)) options.onUnexpectedExit?.(service, code, signal);
    });
    await waitUntil(service, `${urls[service]}${probe}`, () => children.has(service));
  };

  const stopService = async (service: ServiceName): Promise<void> => {
    const child = children.get(service);
    if (child === undefined) return;
    expectedExits.add(service);
    child.kill('SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (children.has(service) && Date.now() < deadline) await sleep(50);
    if (children.has(service)) child.kill('SIGKILL');
    while (children.has(service)) await sleep(20);
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    for (const service of [...START_ORDER].reverse()) children.get(service)?.kill('SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (children.size > 0 && Date.now() < deadline) await sleep(50);
    for (const child of children.values()) child.kill('SIGKILL');
  };

  try {
    // Ready means able to verify a token, and the sandbox fetches its keys through the gateway, which starts
    // last: the sandbox is waited for as live first, and as ready once the gateway is up.
    for (const service of START_ORDER) {
      await startService(service, keysThroughGateway(service) ? '/healthz' : '/readyz');
    }
    for (const service of START_ORDER.filter(keysThroughGateway)) {
      await waitUntil(service, `${urls[service]}/readyz`, () => children.has(service));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, pid: (service) => children.get(service)?.pid, stopService, startService, stop };
}

function entryOf(rootDir: string, service: ServiceName): string {
  return join(rootDir, 'apps', service, 'dist', 'index.js');
}

type Probe = '/readyz' | '/healthz';

async function waitUntil(service: ServiceName, probeUrl: string, running: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && running()) {
    try {
      const response = await fetch(probeUrl, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new LocalStackError(
    'not_ready',
    running()
      ? `${service} did not become ready within ${READY_TIMEOUT_MS / 1000} s`
      : `${service} exited during start-up (its output says why)`,
  );
}

/** A port nobody listens on now; for tests that must not collide with a running stack. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const address = probe.address();
        const port = typeof address === 'object' && address !== null ? address.port : 0;
        probe.close(() => {
          resolve(port);
        });
      });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => {
        resolve(false);
      })
      .once('listening', () => {
        probe.close(() => {
          resolve(true);
        });
      })
      .listen(port, '127.0.0.1');
  });
}
