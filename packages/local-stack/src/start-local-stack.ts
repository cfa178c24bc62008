// Runs every service of the topology as a local process on loopback, with the same derived URLs for all,
// waits until each is ready (every service after those it calls, the gateway last), and stops them in reverse
// order. Services, ports, variables and start order all come from the topology.
// `./airlock start` and the cross-service tests both use it, so the stack they run is the same.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  airlockTopology,
  edgeService,
  JWKS_PATH,
  jwksProviderOf,
  localIssuerOf,
  localOriginOf,
  portVariableOf,
  serviceNamed,
  startOrderOf,
  urlVariableOf,
} from '@airlock/topology';

/** Every service of the topology, each after the services it calls, the edge (the door) last. */
export const START_ORDER: readonly string[] = startOrderOf(airlockTopology).map((service) => service.name);
/** A service's topology name. */
export type ServiceName = string;

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 12_000;

export interface LocalStackOptions {
  /** The repository root: services run from `apps/<name>/dist/index.js`. */
  readonly rootDir: string;
  /** Keys, databases and the demo password live here (`AIRLOCK_DATA_DIR`). */
  readonly dataDir: string;
  readonly ports?: Readonly<Partial<Record<ServiceName, number>>>;
  /** Extra environment for every service (e.g. a demo password, a short cache TTL for tests). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment for one service only (e.g. its own AIRLOCK_DATABASE_URL: one database per service). */
  readonly serviceEnv?: Readonly<Partial<Record<ServiceName, Readonly<Record<string, string>>>>>;
  /**
   * Processes per service (default 1). The replicas of a service share its one port (AIRLOCK_REUSE_PORT: the
   * kernel spreads connections over them), so each caller keeps one address per service and needs no list.
   * Their output is labelled `<service>#2`, `#3`, …; the first keeps the plain name.
   */
  readonly replicas?: Readonly<Partial<Record<ServiceName, number>>>;
  readonly onOutput?: (service: ServiceName, line: string, stream: 'stdout' | 'stderr') => void;
  /** Called when a service exits while the stack is meant to be running. */
  readonly onUnexpectedExit?: (service: ServiceName, code: number | null, signal: string | null) => void;
}

export interface LocalStack {
  /** The loopback origin of every service, by topology name. */
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** The edge's origin: the one a client uses. */
  readonly edgeUrl: string;
  /** The origin of one service; throws for a name the topology does not know. */
  urlOf(service: ServiceName): string;
  /** The process id of a running service (for tests that measure it), or undefined when it is stopped. */
  pid(service: ServiceName): number | undefined;
  /** The environment the stack starts `service` with: for a test that starts one more replica of it. */
  envOf(service: ServiceName): Record<string, string | undefined>;
  /** Stops one service (SIGTERM, then SIGKILL after a grace period); the rest keep running. */
  stopService(service: ServiceName): Promise<void>;
  /** Starts a stopped service again on its port and waits until it is ready. */
  startService(service: ServiceName): Promise<void>;
  /**
   * Starts one more replica of a service on `port`, with the same environment and data folder (replicas share
   * state through AIRLOCK_REDIS_URL, if given); it is stopped by stop(). Returns its loopback origin.
   */
  startReplica(service: ServiceName, port: number): Promise<string>;
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  readonly code: 'not_built' | 'port_taken' | 'not_ready' | 'not_installed';

  constructor(code: LocalStackError['code'], message: string) {
    super(message);
    this.name = 'LocalStackError';
    this.code = code;
  }
}

/** The variable that sets a service's port, e.g. `AIRLOCK_ORDERS_PORT` (the topology's naming). */
export const portEnvName = portVariableOf;

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const port = (service: ServiceName): number =>
    options.ports?.[service] ?? serviceNamed(airlockTopology, service).port;
  const urls: Readonly<Record<ServiceName, string>> = Object.fromEntries(
    START_ORDER.map((service) => [
      service,
      localOriginOf(serviceNamed(airlockTopology, service), port(service)),
    ]),
  );
  const urlOf = (service: ServiceName): string => {
    const url = urls[service];
    if (url === undefined) throw new Error(`the topology has no service "${service}"`);
    return url;
  };
  const edge = edgeService(airlockTopology).name;

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
        `port ${port(service)} for ${service} is taken: free it or set ${portVariableOf(service)}`,
      );
    }
  }

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  // Every service learns every port and origin under the topology's variable names; each reads its own.
  const sharedEnv: Record<string, string | undefined> = {
    ...process.env,
    AIRLOCK_DATA_DIR: options.dataDir,
    AIRLOCK_AUTH_ISSUER: localIssuerOf(airlockTopology, port(edge)),
    ...Object.fromEntries(START_ORDER.map((service) => [urlVariableOf(service), urlOf(service)])),
    ...Object.fromEntries(START_ORDER.map((service) => [portVariableOf(service), String(port(service))])),
    // The gateway replaces any client-sent X-Forwarded-For with the peer address, so auth may count failed
    // logins per client address rather than per gateway.
    AIRLOCK_AUTH_TRUST_PROXY: 'true',
    // The web shop's sign-in comes back to the edge's origin, whichever port the edge has.
    AIRLOCK_AUTH_WEB_REDIRECT_URIS: `${urlOf(edge)}/callback`,
    ...options.env,
  };
  // Where each service fetches the signing keys: the topology's JWKS call (auth, or the gateway for the sandbox).
  const jwksEnv = (service: ServiceName): Record<string, string> => {
    const provider = jwksProviderOf(airlockTopology, service);
    if (options.env?.AIRLOCK_JWKS_URL !== undefined)
      return { AIRLOCK_JWKS_URL: options.env.AIRLOCK_JWKS_URL };
    return provider === undefined ? {} : { AIRLOCK_JWKS_URL: `${urlOf(provider.name)}${JWKS_PATH}` };
  };
  // A service that fetches its keys through the edge (the sandbox) is ready only once the edge, which starts
  // last, is up: at boot it is awaited alive, and ready after the edge.
  const keysThroughEdge = (service: ServiceName): boolean =>
    jwksProviderOf(airlockTopology, service)?.name === edge;

  const children = new Map<ServiceName, ChildProcess>();
  const expectedExits = new Set<ServiceName>();
  let stopping = false;

  const replicaCount = (service: ServiceName): number => options.replicas?.[service] ?? 1;
  const envOf = (service: ServiceName): Record<string, string | undefined> => ({
    ...sharedEnv,
    ...jwksEnv(service),
    ...(replicaCount(service) > 1 ? { AIRLOCK_REUSE_PORT: 'true' } : {}),
    ...options.serviceEnv?.[service],
  });

  /** Runs `apps/<service>/dist/index.js` with `env`; its output lines go to onOutput as `label`. */
  const spawnService = (
    service: ServiceName,
    env: Record<string, string | undefined>,
    label: string,
  ): ChildProcess => {
    const child = spawn(process.execPath, [...nodeFlagsOf(service), 'dist/index.js'], {
      cwd: join(options.rootDir, 'apps', service),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream] }).on('line', (line) => options.onOutput?.(label, line, stream));
    }
    return child;
  };

  const startService = async (service: ServiceName, probe: Probe = '/readyz'): Promise<void> => {
    const child = spawnService(service, envOf(service), service);
    children.set(service, child);
    child.on('exit', (code, signal) => {
      children.delete(service);
      if (!stopping && !expectedExits.delete(service)) options.onUnexpectedExit?.(service, code, signal);
    });
    await waitUntil(service, `${urlOf(service)}${probe}`, () => children.has(service));
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

  const replicas: ChildProcess[] = [];
  const startReplica = async (service: ServiceName, replicaPort: number): Promise<string> => {
    const origin = localOriginOf(serviceNamed(airlockTopology, service), replicaPort);
    const child = spawnService(
      service,
      { ...sharedEnv, ...jwksEnv(service), [portVariableOf(service)]: String(replicaPort) },
      `${service}@${String(replicaPort)}`,
    );
    replicas.push(child);
    let running = true;
    child.on('exit', () => {
      running = false;
    });
    await waitUntil(service, `${origin}/readyz`, () => running);
    return origin;
  };

  /**
   * Starts replica `index` (2, 3, …) of a service on the port its first replica listens on. A probe through the
   * shared port may reach any replica, so this one counts as up once it holds a listening socket there (each
   * service listens only after its start-up work), and then the port must answer ready.
   */
  const startSharedPortReplica = async (service: ServiceName, index: number): Promise<void> => {
    const label = `${service}#${String(index)}`;
    const child = spawnService(service, envOf(service), label);
    replicas.push(child);
    const running = (): boolean => child.exitCode === null && child.signalCode === null;
    child.on('exit', (code, signal) => {
      if (!stopping) options.onUnexpectedExit?.(label, code, signal);
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (running() && !listensOn(child.pid, port(service))) {
      if (Date.now() > deadline) {
        throw new LocalStackError('not_ready', `${label} did not listen within ${READY_TIMEOUT_MS / 1000} s`);
      }
      await sleep(50);
    }
    await waitUntil(label, `${urlOf(service)}/readyz`, running);
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    for (const child of replicas) child.kill('SIGTERM');
    for (const service of [...START_ORDER].reverse()) children.get(service)?.kill('SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    const alive = (): boolean =>
      children.size > 0 || replicas.some((child) => child.exitCode === null && child.signalCode === null);
    while (alive() && Date.now() < deadline) await sleep(50);
    for (const child of [...children.values(), ...replicas]) child.kill('SIGKILL');
  };

  try {
    // Ready means able to verify a token, and the sandbox fetches its keys through the gateway, which starts
    // last: the sandbox is waited for as live first, and as ready once the gateway is up.
    for (const service of START_ORDER) {
      await startService(service, keysThroughEdge(service) ? '/healthz' : '/readyz');
      for (let index = 2; index <= replicaCount(service); index += 1) {
        await startSharedPortReplica(service, index);
      }
    }
    for (const service of START_ORDER.filter(keysThroughEdge)) {
      await waitUntil(service, `${urlOf(service)}/readyz`, () => children.has(service));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    urls,
    edgeUrl: urlOf(edge),
    urlOf,
    pid: (service) => children.get(service)?.pid,
    envOf,
    stopService,
    startService,
    startReplica,
    stop,
  };
}

/** Node flags the service's topology entry asks for (V8 heap sizing), the same as in its container. */
function nodeFlagsOf(service: ServiceName): readonly string[] {
  return serviceNamed(airlockTopology, service).container?.nodeFlags ?? [];
}

function entryOf(rootDir: string, service: ServiceName): string {
  return join(rootDir, 'apps', service, 'dist', 'index.js');
}

type Probe = '/readyz' | '/healthz';

/** Whether process `pid` holds a TCP socket listening on `port` (Linux: /proc/net/tcp and its fd table). */
function listensOn(pid: number | undefined, port: number): boolean {
  if (pid === undefined) return false;
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const LISTEN = '0A';
  const inodes = new Set(
    readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(portHex) === true && fields[3] === LISTEN)
      .map((fields) => fields[9]),
  );
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${String(pid)}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${String(pid)}/fd/${fd}`));
      return socket?.[1] !== undefined && inodes.has(socket[1]);
    } catch {
      // The descriptor closed while we looked.
      return false;
    }
  });
}

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

/**
 * Where freePort looks: below Linux's ephemeral range (32768-60999 by default), from which every outgoing
 * connection on this machine takes its local port. A port the kernel hands out there (`listen(0)`) can be taken
 * by some client's connection before the service that was given it binds it; one from this range cannot.
 */
const FREE_PORT_RANGE = { low: 20_000, high: 32_000 } as const;
const FREE_PORT_ATTEMPTS = 50;

/** A port nobody listens on now, outside the ephemeral range; for stacks and servers started by tests. */
export async function freePort(): Promise<number> {
  for (let attempt = 1; attempt <= FREE_PORT_ATTEMPTS; attempt += 1) {
    const port = FREE_PORT_RANGE.low + randomInt(FREE_PORT_RANGE.high - FREE_PORT_RANGE.low);
    if (await portIsFree(port)) return port;
  }
  throw new LocalStackError(
    'port_taken',
    `no free port in ${String(FREE_PORT_RANGE.low)}-${String(FREE_PORT_RANGE.high)} after ${String(FREE_PORT_ATTEMPTS)} tries`,
  );
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
