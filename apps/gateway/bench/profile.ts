// Profiles the warm path: starts the bench's upstream and stub auth, then the built gateway with the node flags
// of its start script (or, with `PROFILE_TARGET=baseline`, the plain proxy) under `--cpu-prof`, drives it with wrk
// (16 connections, one cached token) for a bounded time, stops it and summarises the profile by function
// (cpuprofile-summary.ts) in microseconds per request. Shares within one profile compare across busy machines.
//
// Run: `node bench/profile.ts [seconds=10]` after `pnpm --filter @airlock/gateway build`. Loopback only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './support/bench-processes.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const seconds = Number(process.argv[2] ?? '10');
const baseline = process.env.PROFILE_TARGET === 'baseline';
const outDir = mkdtempSync(join(tmpdir(), 'airlock-gateway-profile-'));
const pinned = spawnSync('taskset', ['--version']).status === 0;
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Starts a node process on `cpu` with stdout to a file (as the bench does) and waits for its port. */
async function start(
  cpu: number,
  args: readonly string[],
  env: Record<string, string>,
): Promise<ChildProcess> {
  const command = [process.execPath, '--disable-warning=ExperimentalWarning', ...args];
  const [file = 'node', ...rest] = pinned ? ['taskset', '-c', String(cpu), ...command] : command;
  const child = spawn(file, rest, {
    env: { ...process.env, ...env },
    stdio: ['ignore', openSync(join(outDir, `${String(children.length)}.log`), 'w'), 'inherit'],
  });
  children.push(child);
  await listening(Number(env.PORT ?? env.AIRLOCK_GATEWAY_PORT));
  return child;
}

const startFlags = (
  JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(' ')
  .slice(1, -1);
const ports = { upstream: await freePort(), auth: await freePort(), server: await freePort() };
await start(1, [join(here, 'servers/upstream.ts')], { PORT: String(ports.upstream) });
await start(1, [join(here, 'servers/stub-auth.ts')], { PORT: String(ports.auth) });
const upstreamUrl = `http://127.0.0.1:${String(ports.upstream)}`;
const profiling = ['--cpu-prof', `--cpu-prof-dir=${outDir}`];
const profiled = baseline
  ? await start(0, [...profiling, join(here, 'servers/baseline-proxy.ts')], {
      PORT: String(ports.server),
      UPSTREAM: upstreamUrl,
    })
  : await start(0, [...startFlags, ...profiling, join(here, '../dist/index.js')], {
      AIRLOCK_GATEWAY_PORT: String(ports.server),
      AIRLOCK_AUTH_URL: `http://127.0.0.1:${String(ports.auth)}`,
      AIRLOCK_ORDERS_URL: upstreamUrl,
      AIRLOCK_DATA_DIR: join(outDir, 'data'),
      // Limits far above the offered load, as in the bench.
      AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '1000000',
      AIRLOCK_GATEWAY_RATE_IP_BURST: '1000000',
      AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: '1000000',
      AIRLOCK_GATEWAY_RATE_TOKEN_BURST: '1000000',
      AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: '300',
    });
const url = `http://127.0.0.1:${String(ports.server)}${baseline ? '/orders' : '/api/orders'}`;
const wrkArgs = [
  '-t1',
  '-c16',
  `-d${String(seconds)}s`,
  '-H',
  'authorization: Bearer bench-alice-0123456789abcdef',
  url,
];
const wrk = spawnSync(pinned ? 'taskset' : 'wrk', pinned ? ['-c', '1', 'wrk', ...wrkArgs] : wrkArgs, {
  encoding: 'utf8',
});
console.log(wrk.stdout.trim());
const requests = /(\d+) requests in/.exec(wrk.stdout)?.[1] ?? '0';

await new Promise<void>((resolve) => {
  profiled.once('exit', () => {
    resolve();
  });
  profiled.kill('SIGTERM');
});
const file = readdirSync(outDir).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile written in ${outDir}`);
spawnSync(
  process.execPath,
  [
    '--disable-warning=ExperimentalWarning',
    join(here, 'cpuprofile-summary.ts'),
    join(outDir, file),
    process.env.PROFILE_TOP ?? '40',
    baseline ? 'baseline' : 'gateway/',
    requests,
  ],
  { stdio: 'inherit' },
);
