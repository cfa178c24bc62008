// The gateway's benchmark (issues #4 and #15): in one run, with the same load, interleaving the contestants and
// pinning each server to the same CPU in turn, (A) a plain node:http + undici Pool.stream reverse proxy, (B) the
// gateway as deployed (the node flags of its start script) and (C) the same gateway without those flags (V8's
// default heap sizing and background compiler), all with a warm cache in front of the same trivial upstream; requests/s, CPU per request, latency at
// one connection and resident memory of each. Then the cold path, the cache hit ratio with 1,000 distinct
// tokens, and the number of calls to auth for 100 concurrent requests with one new token. The last line prints
// the target ratios.
//
// Run: `pnpm --filter @airlock/gateway bench` (builds, then runs this file with Node's type stripping).
// Everything is on loopback; every loop is bounded in count and time; the whole run takes about two minutes.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Pool } from 'undici';
import {
  cpuSeconds,
  GATEWAY_ENTRY,
  GATEWAY_NODE_FLAGS,
  hasTaskset,
  LOAD_CPU,
  memoryMb,
  pinned,
  pinTo,
  SERVER_CPU,
  spawnBenchServer,
  startBuiltGateway,
  stopAll,
  stopOnExit,
  waitForHttp,
} from './support/bench-processes.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '6');
const LATENCY_ROUNDS = 4;
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? '2000');
const WARMUP_MS = 1000;
const CONNECTIONS = 16;
const MAX_SAMPLES = 200_000;
const TOKEN = 'bench-alice-0123456789abcdefghij';

// wrk (C, ~5 us per request) leaves the load CPU room for the upstream, so the server CPU is what saturates;
// the built-in undici generator costs several times more per request and may saturate the load CPU first.
const hasWrk = process.env.BENCH_NO_WRK === undefined && spawnSync('wrk', ['--version']).error === undefined;
const cpus = availableParallelism();

// --- load ----------------------------------------------------------------------------------------------------

interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly latenciesMs: Float64Array;
  /** Percentiles as wrk computed them (wrk only). */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

async function load(
  url: string,
  options: {
    connections: number;
    durationMs: number;
    path: string;
    headers: Record<string, string>;
    serverPid?: number;
  },
): Promise<LoadResult> {
  const pool = new Pool(url, { connections: options.connections, pipelining: 1 });
  const latencies = new Float64Array(MAX_SAMPLES);
  let requests = 0;
  let errors = 0;
  const cpuBefore = cpuSeconds(options.serverPid);
  const started = performance.now();
  const end = started + options.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        const res = await pool.request({ path: options.path, method: 'GET', headers: options.headers });
        await res.body.dump();
        if (res.statusCode !== 200) errors += 1;
      } catch {
        errors += 1;
      }
      if (requests < MAX_SAMPLES) latencies[requests] = performance.now() - sent;
      requests += 1;
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(options.serverPid) - cpuBefore;
  await pool.close();
  return {
    requests,
    errors,
    seconds,
    cpuSeconds: cpu,
    latenciesMs: latencies.slice(0, Math.min(requests, MAX_SAMPLES)),
  };
}

/** Runs wrk pinned to the load CPU; returns requests, seconds and (with --latency) its percentiles in ms. */
function wrk(
  url: string,
  options: { connections: number; durationMs: number; headers: Record<string, string>; serverPid?: number },
): Promise<LoadResult> {
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.durationMs / 1000))}s`,
    '--latency',
    ...Object.entries(options.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    url,
  ];
  const [command = 'wrk', ...rest] = pinTo(LOAD_CPU, ['wrk', ...args]);
  const cpuBefore = cpuSeconds(options.serverPid);
  return new Promise((resolve, reject) => {
    const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    stopOnExit(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`wrk exited with ${String(code)}`));
        return;
      }
      const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 'NaN');
      const rate = Number(/Requests\/sec:\s+([0-9.]+)/.exec(output)?.[1] ?? 'NaN');
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0');
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        output,
      );
      const errors =
        non2xx + (socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0));
      resolve({
        requests,
        errors,
        // wrk's own measured duration (requests / rate), not the process's, which includes its start-up.
        seconds: requests / rate,
        cpuSeconds: cpuSeconds(options.serverPid) - cpuBefore,
        latenciesMs: new Float64Array(0),
        p50Ms: wrkPercentile(output, '50%'),
        p99Ms: wrkPercentile(output, '99%'),
      });
    });
  });
}

function wrkPercentile(output: string, label: string): number {
  const match = new RegExp(`^\\s*${label.replace('%', '%')}\\s+([0-9.]+)(us|ms|s)$`, 'm').exec(output);
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

function percentile(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function authExchanges(authUrl: string): Promise<number> {
  const pool = new Pool(authUrl);
  const res = await pool.request({ path: '/stats', method: 'GET' });
  const { exchanges } = (await res.body.json()) as { exchanges: number };
  await pool.close();
  return exchanges;
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function joined(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((sum, array) => sum + array.length, 0));
  let offset = 0;
  for (const array of arrays) {
    out.set(array, offset);
    offset += array.length;
  }
  return out;
}

// --- run -------------------------------------------------------------------------------------------------------

/** The target ratios, printed together at the end. */
const targetLines: string[] = [];

async function main(): Promise<void> {
  if (!hasWrk) {
    console.log(
      'note: wrk not found (Debian: `apt-get install -y wrk`); using the built-in undici load generator.',
    );
  }
  if (!pinned) {
    console.log(
      hasTaskset
        ? 'note: fewer than 2 CPUs; running unpinned, the ratio is then only indicative.'
        : 'note: `taskset` not found (Debian: `apt-get install -y util-linux`); running unpinned.',
    );
  } else {
    // The load generator shares CPU 1 with the upstream and the stub auth; the servers under test own CPU 0.
    spawnSync('taskset', ['-a', '-cp', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });
  }
  try {
    readFileSync(GATEWAY_ENTRY);
  } catch {
    throw new Error(
      'dist/index.js is missing: run `pnpm --filter @airlock/gateway build` first (the bench script does).',
    );
  }

  const upstream = await spawnBenchServer('upstream.ts', {}, LOAD_CPU);
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const stubAuth = await spawnBenchServer('stub-auth.ts', {}, LOAD_CPU);
  const authUrl = `http://127.0.0.1:${stubAuth.port}`;
  const baseline = await spawnBenchServer('baseline-proxy.ts', { UPSTREAM: upstreamUrl }, SERVER_CPU);
  const baselineUrl = `http://127.0.0.1:${baseline.port}`;

  const startGateway = (flags: readonly string[], name: string) =>
    startBuiltGateway({ nodeFlags: flags, name, authUrl, upstreamUrl });
  // B is the gateway as deployed; C the same build without its node flags, to show what the flags buy.
  const gatewayB = await startGateway(GATEWAY_NODE_FLAGS, 'gateway');
  const gatewayC = await startGateway([], 'gateway-default-heap');
  const gateway = gatewayB.child;
  const gatewayUrl = gatewayB.url;
  const logFile = gatewayB.logFile;
  await waitForHttp(baselineUrl);

  const auth = { authorization: `Bearer ${TOKEN}` };
  const path = '/api/orders';
  const baselinePath = '/orders';

  console.log(
    `Airlock gateway benchmark: node ${process.version}, ${cpus} CPUs; ` +
      (pinned
        ? `servers under test pinned to CPU ${SERVER_CPU}, load + upstream + stub auth on CPU ${LOAD_CPU}`
        : 'unpinned'),
  );
  console.log(
    `gateway flags (package.json start): ${GATEWAY_NODE_FLAGS.join(' ') || 'none'}; load average before the run: ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')} (figures are only comparable within one run)`,
  );

  type Which = 'A' | 'B' | 'C';
  const contestants: readonly Which[] = ['A', 'B', 'C'];
  const target = (which: Which): { base: string; path: string; pid: number | undefined } =>
    which === 'A'
      ? { base: baselineUrl, path: baselinePath, pid: baseline.child.pid }
      : which === 'B'
        ? { base: gatewayUrl, path, pid: gateway.pid }
        : { base: gatewayC.url, path, pid: gatewayC.child.pid };
  const labels: Record<Which, string> = {
    A: 'A plain node:http + undici Pool.stream proxy:',
    B: 'B gateway, warm cache (as deployed):         ',
    C: 'C gateway, without the start script flags:   ',
  };
  /** Round r starts at contestant r (mod 3): each one runs first, second and last equally often. */
  const orderOf = (round: number): Which[] =>
    contestants.map((_, index) => contestants[(round + index) % contestants.length] ?? 'A');

  // Warm-up: JIT the servers, fill the gateways' caches (one exchange each), open the pools.
  for (const which of contestants) {
    const { base, path: warmPath } = target(which);
    await load(base, { connections: CONNECTIONS, durationMs: WARMUP_MS, path: warmPath, headers: auth });
  }

  // Throughput: rotating rounds, so drift (thermal, other tenants) hits every contestant the same.
  const generator = hasWrk ? 'wrk' : 'built-in undici generator';
  const phase = (which: Which, connections: number) => {
    const { base, path: phasePath, pid: serverPid } = target(which);
    return hasWrk
      ? wrk(`${base}${phasePath}`, { connections, durationMs: PHASE_MS, headers: auth, serverPid })
      : load(base, { connections, durationMs: PHASE_MS, path: phasePath, headers: auth, serverPid });
  };
  const totals: Record<Which, { requests: number; seconds: number; cpu: number; errors: number }> = {
    A: { requests: 0, seconds: 0, cpu: 0, errors: 0 },
    B: { requests: 0, seconds: 0, cpu: 0, errors: 0 },
    C: { requests: 0, seconds: 0, cpu: 0, errors: 0 },
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const which of orderOf(round)) {
      const result = await phase(which, CONNECTIONS);
      totals[which].requests += result.requests;
      totals[which].seconds += result.seconds;
      totals[which].cpu += result.cpuSeconds;
      totals[which].errors += result.errors;
    }
  }
  const rps = (which: Which): number => totals[which].requests / totals[which].seconds;
  const busy = (which: Which): number => (100 * totals[which].cpu) / totals[which].seconds;
  const cpuPerRequest = (which: Which): number => (1e6 * totals[which].cpu) / totals[which].requests;
  console.log(
    `throughput (${generator}), ${CONNECTIONS} connections, ${ROUNDS} rounds x ${PHASE_MS / 1000} s each, interleaved A/B/C:`,
  );
  for (const which of contestants) {
    console.log(
      `  ${labels[which]} ${fixed(rps(which))} req/s (server CPU busy ${fixed(busy(which))}%, ${fixed(cpuPerRequest(which))} us CPU/request, ${totals[which].errors} errors)`,
    );
  }
  console.log(
    `  ratio B/A: ${fixed(rps('B') / rps('A'), 3)} req/s (target >= 0.9); CPU per request B/A: ${fixed(cpuPerRequest('B') / cpuPerRequest('A'), 3)} (target <= 1.1); C/A: ${fixed(rps('C') / rps('A'), 3)} req/s, CPU ${fixed(cpuPerRequest('C') / cpuPerRequest('A'), 3)}`,
  );

  // Latency at one connection, interleaved too.
  const latency: Record<Which, { p50: number[]; p99: number[]; samples: Float64Array[] }> = {
    A: { p50: [], p99: [], samples: [] },
    B: { p50: [], p99: [], samples: [] },
    C: { p50: [], p99: [], samples: [] },
  };
  for (let round = 0; round < LATENCY_ROUNDS; round += 1) {
    for (const which of orderOf(round)) {
      const result = await phase(which, 1);
      if (result.p50Ms !== undefined && result.p99Ms !== undefined) {
        latency[which].p50.push(result.p50Ms);
        latency[which].p99.push(result.p99Ms);
      } else {
        latency[which].samples.push(result.latenciesMs);
      }
    }
  }
  const summary = (which: Which): { p50: number; p99: number } => {
    const data = latency[which];
    if (data.samples.length > 0) {
      const all = joined(data.samples);
      return { p50: percentile(all, 50), p99: percentile(all, 99) };
    }
    // wrk reports percentiles per run: the median of the runs' percentiles is robust to one noisy run.
    return { p50: median(data.p50), p99: median(data.p99) };
  };
  console.log(
    `latency (${generator}), 1 connection, ${LATENCY_ROUNDS} rounds x ${PHASE_MS / 1000} s each, interleaved A/B/C:`,
  );
  for (const which of contestants) {
    const { p50, p99 } = summary(which);
    console.log(`  ${which} p50 ${fixed(p50, 3)} ms, p99 ${fixed(p99, 3)} ms`);
  }
  const latencyA = summary('A');
  const latencyB = summary('B');
  console.log(
    `  added by the gateway: p50 ${fixed(latencyB.p50 - latencyA.p50, 3)} ms (target < 0.05 ms), p99 ${fixed(latencyB.p99 - latencyA.p99, 3)} ms`,
  );
  // Memory after the same load, before the cold-path and hit-ratio phases (which only B gets).
  const memory = { A: memoryMb(target('A').pid), B: memoryMb(target('B').pid), C: memoryMb(target('C').pid) };
  console.log('resident memory after the throughput and latency phases:');
  for (const which of contestants) {
    console.log(`  ${which} RSS ${fixed(memory[which].rss)} MB (peak ${fixed(memory[which].peak)} MB)`);
  }
  console.log(`  B/A ${fixed(memory.B.rss / memory.A.rss, 2)} (target: B <= 120 MB)`);
  gatewayC.child.kill('SIGTERM');
  targetLines.push(
    `req/s B/A ${fixed(rps('B') / rps('A'), 3)} (>= 0.9)`,
    `CPU/request B/A ${fixed(cpuPerRequest('B') / cpuPerRequest('A'), 3)} (<= 1.1)`,
    `added p50 ${fixed(latencyB.p50 - latencyA.p50, 3)} ms (< 0.05)`,
    `RSS B ${fixed(memory.B.rss)} MB (<= 120), A ${fixed(memory.A.rss)} MB, C ${fixed(memory.C.rss)} MB`,
  );

  // Cold path: the first request of a new token (exchange at the stub auth: assertion signing, one HTTP call,
  // JWT minting, claim checks), one at a time.
  const coldPool = new Pool(gatewayUrl, { connections: 1 });
  const cold = new Float64Array(50);
  for (let index = 0; index < cold.length; index += 1) {
    const sent = performance.now();
    const res = await coldPool.request({
      path,
      method: 'GET',
      headers: { authorization: `Bearer bench-cold${index}-0123456789abcdef` },
    });
    await res.body.dump();
    cold[index] = performance.now() - sent;
  }
  await coldPool.close();
  console.log(
    `cold path (first request of a new token, ${cold.length} tokens, stub auth on loopback): p50 ${fixed(percentile(cold, 50), 3)} ms, p90 ${fixed(percentile(cold, 90), 3)} ms, max ${fixed(percentile(cold, 100), 3)} ms`,
  );

  // Hit ratio: 1,000 distinct tokens, 10 requests each, shuffled, 32 at a time.
  const distinct = 1000;
  const perToken = 10;
  const jobs: string[] = [];
  for (let round = 0; round < perToken; round += 1)
    for (let index = 0; index < distinct; index += 1) jobs.push(`bench-user${index}-0123456789abcdef`);
  let seed = 42;
  for (let index = jobs.length - 1; index > 0; index -= 1) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const other = seed % (index + 1);
    [jobs[index], jobs[other]] = [jobs[other] ?? '', jobs[index] ?? ''];
  }
  const before = await authExchanges(authUrl);
  const hitPool = new Pool(gatewayUrl, { connections: 32 });
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < jobs.length) {
        const token = jobs[next] ?? '';
        next += 1;
        const res = await hitPool.request({
          path,
          method: 'GET',
          headers: { authorization: `Bearer ${token}` },
        });
        await res.body.dump();
        if (res.statusCode !== 200) failed += 1;
      }
    }),
  );
  await hitPool.close();
  const misses = (await authExchanges(authUrl)) - before;
  console.log(
    `cache hit ratio, ${distinct} distinct tokens x ${perToken} requests (shuffled, 32 concurrent): ${fixed((100 * (jobs.length - misses)) / jobs.length, 1)}% (${misses} calls to auth for ${jobs.length} requests, ${failed} non-200)`,
  );

  // Single flight: 100 concurrent requests carrying one new token.
  const burstBefore = await authExchanges(authUrl);
  const burstPool = new Pool(gatewayUrl, { connections: 100 });
  const statuses = await Promise.all(
    Array.from({ length: 100 }, async () => {
      const res = await burstPool.request({
        path,
        method: 'GET',
        headers: { authorization: 'Bearer bench-burst-0123456789abcdef' },
      });
      await res.body.dump();
      return res.statusCode;
    }),
  );
  await burstPool.close();
  const burstCalls = (await authExchanges(authUrl)) - burstBefore;
  console.log(
    `100 concurrent requests with one new token: ${burstCalls} call(s) to auth (target exactly 1), ${statuses.filter((status) => status === 200).length} x 200`,
  );

  const auditLines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"audit":true')).length;
  console.log(`audit lines written by the gateway during the run: ${auditLines}`);
  const memoryEnd = memoryMb(gateway.pid);
  console.log(
    `gateway RSS at the end (after 1,000 + 50 + 1 new tokens): ${fixed(memoryEnd.rss)} MB (peak ${fixed(memoryEnd.peak)} MB)`,
  );
  console.log(`issue 15 targets, this run: ${targetLines.join('; ')}`);
}

try {
  await main();
} finally {
  stopAll();
}
