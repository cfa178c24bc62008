// What every gateway bench needs around the process it measures: the bench servers (bench/servers) started on a
// pinned CPU with their port read from their first line, free ports, readiness, and the CPU and memory a process
// has used, from /proc (Linux). Every process a bench starts is stopped when the bench exits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const servers = fileURLToPath(new URL('../servers/', import.meta.url));

/** The CPU the servers under test own, and the one the load, the upstream and the stub auth share. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
/** Stops every process the bench started and removes its temporary folders (also run on exit). */
export function stopAll(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  for (const cleanup of cleanups.splice(0)) cleanup();
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

/** Stops `child` (if still running) when the bench exits. */
export function stopOnExit(child: ChildProcess): void {
  children.push(child);
}

/** Runs `cleanup` when the bench exits (temporary folders). */
export function cleanUpOnExit(cleanup: () => void): void {
  cleanups.push(cleanup);
}

export const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
/** Pinning needs taskset and two CPUs: one for the server under test, one for everything else. */
export const pinned = hasTaskset && availableParallelism() >= 2;

export function pinTo(cpu: number, command: readonly string[]): string[] {
  return pinned ? ['taskset', '-c', String(cpu), ...command] : [...command];
}

/** Spawns a bench server (a file in bench/servers) that prints `{"port":N}` on its first line. */
export function spawnBenchServer(
  file: string,
  env: Record<string, string>,
  cpu: number,
  nodeFlags: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const [command = 'node', ...args] = pinTo(cpu, [
    process.execPath,
    '--disable-warning=ExperimentalWarning',
    ...nodeFlags,
    join(servers, file),
  ]);
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stopOnExit(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line !== undefined) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`${file} exited with ${String(code)}`));
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

/** Resolves once `url` answers any HTTP request. */
export async function waitForHttp(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pool = new Pool(url);
  try {
    while (Date.now() < deadline) {
      try {
        const res = await pool.request({ path: '/', method: 'GET' });
        await res.body.dump();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`${url} did not start`);
  } finally {
    await pool.close();
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Resident and peak resident memory of a process in MB, from /proc (Linux). */
export function memoryMb(pid: number | undefined): { rss: number; peak: number } {
  if (pid === undefined) return { rss: Number.NaN, peak: Number.NaN };
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** The built gateway, as its `start` script runs it. */
export const GATEWAY_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/**
 * The gateway runs with the node flags of its `start` script (package.json), so a bench measures what is
 * deployed: `--max-semi-space-size` caps V8's young generation, most of the resident memory of a busy proxy.
 */
export const GATEWAY_NODE_FLAGS = ((): string[] => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  const [node, ...rest] = manifest.scripts.start.split(' ');
  if (node !== 'node' || rest.at(-1) !== 'dist/index.js')
    throw new Error('start script is not `node ... dist/index.js`');
  return rest.slice(0, -1);
})();

export interface BuiltGateway {
  readonly child: ChildProcess;
  readonly url: string;
  /** Its stdout: the audit lines. */
  readonly logFile: string;
}

/**
 * Starts the built gateway pinned to the server CPU, in front of `upstreamUrl` (as orders) with `authUrl` as
 * auth, its audit lines written to a file in a temporary folder, and limits far above any bench's load.
 */
export async function startBuiltGateway(options: {
  readonly nodeFlags: readonly string[];
  readonly name: string;
  readonly authUrl: string;
  readonly upstreamUrl: string;
  readonly env?: Record<string, string>;
}): Promise<BuiltGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), `airlock-gateway-bench-${options.name}-`));
  cleanUpOnExit(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });
  const port = await freePort();
  const logFile = join(dataDir, 'audit.log');
  const logFd = openSync(logFile, 'w');
  const [command = 'node', ...args] = pinTo(SERVER_CPU, [
    process.execPath,
    ...options.nodeFlags,
    GATEWAY_ENTRY,
  ]);
  const child = spawn(command, args, {
    env: {
      ...process.env,
      AIRLOCK_GATEWAY_PORT: String(port),
      AIRLOCK_AUTH_URL: options.authUrl,
      AIRLOCK_ORDERS_URL: options.upstreamUrl,
      AIRLOCK_DATA_DIR: join(dataDir, 'data'),
      // A bench measures the proxy path, not the limiter's refusals: limits far above the offered load.
      AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '1000000',
      AIRLOCK_GATEWAY_RATE_IP_BURST: '1000000',
      AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: '1000000',
      AIRLOCK_GATEWAY_RATE_TOKEN_BURST: '1000000',
      // Every bench client is 127.0.0.1: its per-client shares of exchanges and connections are the totals.
      AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: '256',
      AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '4096',
      AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: '300',
      ...(process.env.BENCH_GATEWAY_NODE_OPTIONS === undefined
        ? {}
        : { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS }),
      ...options.env,
    },
    stdio: ['ignore', logFd, 'inherit'],
  });
  stopOnExit(child);
  const url = `http://127.0.0.1:${String(port)}`;
  await waitForHttp(url);
  return { child, url, logFile };
}
