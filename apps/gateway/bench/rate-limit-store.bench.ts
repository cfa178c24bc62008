// What the shared rate limit costs per decision (issue 12): in one run, interleaved round by round, the gateway's
// in-memory RateLimiter and @airlock/shared-state's SharedRateLimiter (one Lua script per decision) against a
// real redis-server on loopback; the latency of each decision, one at a time as a request waits for it, over
// 1,000 distinct keys. Prints p50/p99/p99.9 of each and the added p99 (target <= 0.3 ms).
//
// Run: `pnpm --filter @airlock/gateway bench:rate-limit-store` (builds, then runs this file with Node's type
// stripping). Loopback only; 6 rounds x 5,000 decisions per contestant, a few seconds in all.
import { availableParallelism, loadavg } from 'node:os';
import { connectRedis, disconnectRedis } from '@airlock/shared-state/connection';
import { SharedRateLimiter } from '@airlock/shared-state/shared-rate-limiter';
import { startRedisServer } from '@airlock/testing/redis-server';
import type * as RateLimit from '../src/edge/rate-limit.js';

// Typed against the sources, run against the build (as token-verification's bench): Node runs this file as is,
// but not src/'s './x.js' imports; and a fresh checkout typechecks before it builds.
const { RateLimiter } = (await import(
  new URL('../dist/edge/rate-limit.js', import.meta.url).href
)) as typeof RateLimit;

const ROUNDS = 6;
const DECISIONS_PER_ROUND = 5_000;
const WARM_UP = 2_000;
const KEYS = Array.from({ length: 1_000 }, (_, index) => `client-${String(index)}`);
const TARGET_ADDED_P99_MS = 0.3;
// Generous limits: the bench measures the decision, not refusals.
const LIMIT = { ratePerSecond: 1_000_000, burst: 1_000_000 };

type Take = (key: string) => unknown;

async function measure(take: Take, count: number, offset: number, into: number[]): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const key = KEYS[(offset + index) % KEYS.length] ?? 'client-0';
    const start = process.hrtime.bigint();
    const decision = take(key);
    // The in-memory store answers synchronously: no await, as on the gateway's hot path.
    if (decision instanceof Promise) await decision;
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]): { p50: number; p99: number; p999: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9) };
}

const redisServer = await startRedisServer();
// A long command timeout: the bench reports slow decisions instead of failing on them.
const redis = connectRedis({
  url: redisServer.url,
  name: 'bench',
  onError: () => undefined,
  commandTimeoutMs: 5_000,
});
try {
  await new Promise<void>((resolve) => {
    if (redis.status === 'ready') resolve();
    else
      redis.once('ready', () => {
        resolve();
      });
  });
  const memory = new RateLimiter({ ...LIMIT, maxKeys: 100_000 });
  const shared = new SharedRateLimiter({ redis, name: 'bench', ...LIMIT });
  const contestants: readonly { name: string; take: Take; samples: number[] }[] = [
    { name: 'in-memory RateLimiter', take: (key) => memory.take(key), samples: [] },
    { name: 'Redis SharedRateLimiter', take: (key) => shared.take(key), samples: [] },
  ];
  for (const contestant of contestants) await measure(contestant.take, WARM_UP, 0, []);
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate who goes first, so neither always runs on a warmer or quieter machine.
    const order = round % 2 === 0 ? contestants : [...contestants].reverse();
    for (const contestant of order) {
      await measure(contestant.take, DECISIONS_PER_ROUND, round * DECISIONS_PER_ROUND, contestant.samples);
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `rate-limit store bench, ${date}, node ${process.version}, ${String(availableParallelism())} CPUs, ` +
      `load ${loadavg()[0]?.toFixed(2) ?? '?'}, ${String(ROUNDS * DECISIONS_PER_ROUND)} decisions each, ` +
      `${String(KEYS.length)} keys, redis-server on loopback`,
  );
  const figures = contestants.map((contestant) => ({
    name: contestant.name,
    ...summary(contestant.samples),
  }));
  for (const figure of figures) {
    console.log(
      `  ${figure.name.padEnd(24)} p50 ${figure.p50.toFixed(4)} ms  p99 ${figure.p99.toFixed(4)} ms  ` +
        `p99.9 ${figure.p999.toFixed(4)} ms`,
    );
  }
  const [inMemory, inRedis] = figures;
  if (inMemory !== undefined && inRedis !== undefined) {
    const added = inRedis.p99 - inMemory.p99;
    console.log(
      `  added p99 per decision: ${added.toFixed(4)} ms (target <= ${String(TARGET_ADDED_P99_MS)} ms: ` +
        `${added <= TARGET_ADDED_P99_MS ? 'met' : 'NOT met'})`,
    );
  }
} finally {
  await disconnectRedis(redis);
  await redisServer.close();
}
