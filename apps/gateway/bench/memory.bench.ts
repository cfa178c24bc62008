// Where the gateway's resident memory goes (issue 15), next to the plain proxy's, in one run. Each contestant
// serves the same fixed number of requests (a count, not a duration, so a busy machine changes the time, not the
// memory), then a probe preloaded into it (servers/memory-probe.ts) collects garbage and reports its resident
// memory split into what every node process maps from the node binary, V8's heap, and native memory. Then the
// gateway's own bounded stores are filled step by step (new tokens: the token cache and the per-token limits;
// new client addresses: the per-client limits), and what each entry costs is multiplied out to the store's cap.
//
// Run: `pnpm --filter @airlock/gateway bench:memory` (builds, then runs this file; about a minute).
// Loopback only; every loop is bounded in count.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type * as GatewayConfig from '../src/config.js';
import type { MemoryProbe } from './servers/memory-probe.ts';
import {
  cleanUpOnExit,
  GATEWAY_NODE_FLAGS,
  LOAD_CPU,
  SERVER_CPU,
  spawnBenchServer,
  startBuiltGateway,
  stopAll,
  waitForHttp,
} from './support/bench-processes.ts';

// Typed against the sources, run against the build (as bench/rate-limit-store.bench.ts does).
const { DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_RATE_MAX_KEYS } = (await import(
  new URL('../dist/config.js', import.meta.url).href
)) as typeof GatewayConfig;

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? '60000');
const CONNECTIONS = 16;
// Fills the token cache to its cap: a smaller sample drowns in the heap's own variation after a collection.
const NEW_TOKENS = DEFAULT_CACHE_MAX_ENTRIES;
const NEW_CLIENTS = 5000;

const probeDir = mkdtempSync(join(tmpdir(), 'airlock-memory-probe-'));
cleanUpOnExit(() => {
  rmSync(probeDir, { recursive: true, force: true });
});
const probeFlags = [`--import=${fileURLToPath(new URL('servers/memory-probe.ts', import.meta.url))}`];
const probeEnv = { MEMORY_PROBE_DIR: probeDir };

async function probe(pid: number | undefined): Promise<MemoryProbe> {
  if (pid === undefined) throw new Error('no pid to probe');
  const file = join(probeDir, `${String(pid)}.json`);
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as MemoryProbe;
    } catch {
      // not written yet
    }
  }
  throw new Error(`process ${String(pid)} did not answer the memory probe`);
}

/** Sends `count` GET requests over `connections` connections, each with the headers `headersOf(i)` gives. */
async function drive(
  url: string,
  count: number,
  headersOf: (i: number) => Record<string, string>,
  connections = CONNECTIONS,
): Promise<number> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next;
      next += 1;
      const res = await pool.request({ path: '/api/orders', method: 'GET', headers: headersOf(i) });
      await res.body.dump();
      if (res.statusCode !== 200) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await pool.close();
  return failed;
}

/** One request from each of `count` loopback addresses (127.1.x.y): one new client key each. */
async function fromNewClients(url: string, count: number, token: string): Promise<number> {
  let failed = 0;
  for (let i = 0; i < count; i += 1) {
    const localAddress = `127.1.${String(Math.floor(i / 250))}.${String((i % 250) + 1)}`;
    const pool = new Pool(url, { connections: 1, localAddress });
    const res = await pool.request({
      path: '/api/orders',
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });
    await res.body.dump();
    if (res.statusCode !== 200) failed += 1;
    await pool.close();
  }
  return failed;
}

const mb = (value: number): string => `${value.toFixed(1)} MB`;
const kb = (valueMb: number): string => `${(valueMb * 1024).toFixed(2)} KB`;
const nativeOf = (memory: MemoryProbe): number => memory.anonymousMb - memory.v8PhysicalMb;

async function main(): Promise<void> {
  const upstream = await spawnBenchServer('upstream.ts', {}, LOAD_CPU);
  const upstreamUrl = `http://127.0.0.1:${String(upstream.port)}`;
  const stubAuth = await spawnBenchServer('stub-auth.ts', {}, LOAD_CPU);
  const authUrl = `http://127.0.0.1:${String(stubAuth.port)}`;
  const token = { authorization: 'Bearer bench-alice-0123456789abcdefghij' };

  const contestants = [
    {
      // The floor: what any node HTTP server holds after answering the same requests (with B's node flags).
      name: 'Z node:http answering by itself',
      start: async () => {
        const floor = await spawnBenchServer('upstream.ts', probeEnv, SERVER_CPU, [
          ...GATEWAY_NODE_FLAGS,
          ...probeFlags,
        ]);
        return { child: floor.child, url: `http://127.0.0.1:${String(floor.port)}` };
      },
    },
    {
      name: 'A plain node:http + undici proxy',
      start: async () => {
        const baseline = await spawnBenchServer(
          'baseline-proxy.ts',
          { UPSTREAM: upstreamUrl, ...probeEnv },
          SERVER_CPU,
          probeFlags,
        );
        const url = `http://127.0.0.1:${String(baseline.port)}`;
        await waitForHttp(url);
        return { child: baseline.child, url };
      },
    },
    {
      name: 'B gateway as deployed',
      start: () =>
        startBuiltGateway({
          nodeFlags: [...GATEWAY_NODE_FLAGS, ...probeFlags],
          name: 'memory-b',
          authUrl,
          upstreamUrl,
          env: probeEnv,
        }),
    },
    {
      name: 'D gateway as deployed, MALLOC_ARENA_MAX=2',
      start: () =>
        startBuiltGateway({
          nodeFlags: [...GATEWAY_NODE_FLAGS, ...probeFlags],
          name: 'memory-d',
          authUrl,
          upstreamUrl,
          env: { ...probeEnv, MALLOC_ARENA_MAX: '2' },
        }),
    },
  ];

  console.log(
    `Airlock gateway memory bench: node ${process.version}; gateway flags ${GATEWAY_NODE_FLAGS.join(' ')}; ` +
      `${String(REQUESTS)} requests per contestant over ${String(CONNECTIONS)} connections; ` +
      `load average before the run: ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    '\n| contestant | RSS | file-backed (node binary, shared) | V8 heap (used after GC) | native (malloc, stacks) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  const results = new Map<string, MemoryProbe>();
  let gatewayB: { child: { pid?: number | undefined }; url: string } | undefined;
  for (const contestant of contestants) {
    const server = await contestant.start();
    const failed = await drive(server.url, REQUESTS, () => token);
    if (failed > 0) throw new Error(`${contestant.name}: ${String(failed)} requests were not answered 200`);
    const memory = await probe(server.child.pid);
    results.set(contestant.name, memory);
    console.log(
      `| ${contestant.name} | ${mb(memory.rssMb)} | ${mb(memory.fileMb)} | ${mb(memory.v8PhysicalMb)} ` +
        `(${mb(memory.v8UsedMb)}) | ${mb(nativeOf(memory))} |`,
    );
    if (contestant.name.startsWith('B ')) gatewayB = server;
    else server.child.kill('SIGTERM');
  }
  if (gatewayB === undefined) throw new Error('gateway B did not run');

  // The gateway's bounded stores, filled on B: what one entry retains in V8's heap (after a full collection).
  const before = await probe(gatewayB.child.pid);
  const failedTokens = await drive(gatewayB.url, NEW_TOKENS, (i) => ({
    authorization: `Bearer bench-user${String(i).padStart(6, '0')}-0123456789abcdefghij`,
  }));
  const afterTokens = await probe(gatewayB.child.pid);
  const failedClients = await fromNewClients(gatewayB.url, NEW_CLIENTS, token.authorization.slice(7));
  const afterClients = await probe(gatewayB.child.pid);
  if (failedTokens + failedClients > 0) throw new Error('requests of the store phases were not answered 200');
  const perToken = (afterTokens.v8UsedMb - before.v8UsedMb) / NEW_TOKENS;
  const perClient = (afterClients.v8UsedMb - afterTokens.v8UsedMb) / NEW_CLIENTS;
  console.log('\n| store (gateway B) | per entry, V8 heap | entries measured | at its cap |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| a new token: cached JWT and token hash, per-token limit bucket | ${kb(perToken)} | ${String(NEW_TOKENS)} | ` +
      `${mb(perToken * DEFAULT_CACHE_MAX_ENTRIES)} at ${String(DEFAULT_CACHE_MAX_ENTRIES)} cached tokens |`,
  );
  console.log(
    `| a new client address: per-client limit bucket | ${kb(perClient)} | ${String(NEW_CLIENTS)} | ` +
      `${mb(perClient * DEFAULT_RATE_MAX_KEYS)} at ${String(DEFAULT_RATE_MAX_KEYS)} keys |`,
  );
  console.log(
    `gateway B after the stores: RSS ${mb(afterClients.rssMb)}, V8 heap ${mb(afterClients.v8PhysicalMb)} ` +
      `(used ${mb(afterClients.v8UsedMb)}), native ${mb(nativeOf(afterClients))}`,
  );

  const [z, a, b, d] = contestants.map((contestant) => results.get(contestant.name));
  if (z === undefined || a === undefined || b === undefined || d === undefined)
    throw new Error('a contestant did not report');
  console.log(
    `\nissue 15 memory, this run: RSS B ${mb(b.rssMb)} (target <= 120 MB), of which the node binary ` +
      `${mb(b.fileMb)}; Z (floor) ${mb(z.rssMb)}; A ${mb(a.rssMb)}; D (MALLOC_ARENA_MAX=2) ${mb(d.rssMb)}; ` +
      `anonymous memory B/A ${(b.anonymousMb / a.anonymousMb).toFixed(2)}`,
  );
}

try {
  await main();
} finally {
  stopAll();
}
