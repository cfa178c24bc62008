// Against a real redis-server: the shared bucket is one bucket for every connection, decisions fail closed when
// Redis is down and recover when it is back, revocations reach subscribers, negative results expire.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startRedisServer, type RedisServer } from '@airlock/testing/redis-server';
import { connectRedis, disconnectRedis, type Redis } from '../src/connection.js';
import { SharedStateError } from '../src/errors.js';
import { SharedNegativeResults } from '../src/negative-results.js';
import { publishRevokedTokens, subscribeToRevocations } from '../src/revocation-channel.js';
import { SharedRateLimiter } from '../src/shared-rate-limiter.js';

let server: RedisServer;
const connections: Redis[] = [];

function connect(subscriber = false, commandTimeoutMs?: number): Redis {
  const redis = connectRedis({
    url: server.url,
    name: 'test',
    onError: () => undefined,
    subscriber,
    ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
  });
  connections.push(redis);
  return redis;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(connections.map((redis) => disconnectRedis(redis)));
  await server.close();
});

const HASH_A = 'A'.repeat(43);
const HASH_B = 'b'.repeat(43);

describe('SharedRateLimiter', () => {
  test('two connections take from one bucket: the allowed sum is the burst', async () => {
    const options = { name: 'test-sum', ratePerSecond: 0.001, burst: 10 };
    const first = new SharedRateLimiter({ redis: connect(), ...options });
    const second = new SharedRateLimiter({ redis: connect(), ...options });
    await until(() => connections.every((redis) => redis.status === 'ready'));
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, index) => (index % 2 === 0 ? first : second).take('client-1')),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    const refused = decisions.find((decision) => !decision.allowed);
    expect(refused).toMatchObject({ allowed: false });
    // Another key has its own bucket.
    expect(await first.take('client-2')).toEqual({ allowed: true });
  });

  test('refuses with shared_state_unavailable while Redis is down, and recovers by itself', async () => {
    const limiter = new SharedRateLimiter({
      redis: connect(),
      name: 'test-outage',
      ratePerSecond: 100,
      burst: 100,
    });
    await until(async () => (await limiter.take('k').catch(() => undefined)) !== undefined);
    await server.stop();
    await expect(limiter.take('k')).rejects.toMatchObject({ code: 'shared_state_unavailable' });
    await expect(limiter.take('k')).rejects.toBeInstanceOf(SharedStateError);
    await server.start();
    // Restarted empty: the script is loaded again (NOSCRIPT then EVAL) without the caller noticing.
    await until(async () => (await limiter.take('k').catch(() => undefined))?.allowed === true, 10_000);
  }, 20_000);
});

describe('command timeout', () => {
  const TIMEOUT_MS = 100;

  /** Keeps this process from running for `ms`, as a GC pause or a starved CPU would. */
  function stall(ms: number): void {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // Busy on purpose: no timer and no socket read can run meanwhile.
    }
  }

  /** A limiter on a connection with the short timeout, once it has answered (the script is loaded). */
  async function answeringLimiter(name: string): Promise<SharedRateLimiter> {
    const limiter = new SharedRateLimiter({
      redis: connect(false, TIMEOUT_MS),
      name,
      ratePerSecond: 100,
      burst: 100,
    });
    await until(async () => (await limiter.take('k').catch(() => undefined)) !== undefined);
    return limiter;
  }

  test('an answer that arrived while the process could not run counts: no refusal after a stall', async () => {
    const limiter = await answeringLimiter('test-stall');
    // ioredis' own timer refused about every other such request (measured before answerOf decided).
    for (let round = 0; round < 8; round += 1) {
      const decision = limiter.take('k');
      stall(TIMEOUT_MS * 1.5);
      await expect(decision).resolves.toEqual({ allowed: true });
    }
  });

  test('a Redis that does not answer is refused after the timeout, not later', async () => {
    const limiter = await answeringLimiter('test-paused');
    const admin = connect();
    await until(() => admin.status === 'ready');
    const pauseMs = TIMEOUT_MS * 20;
    await admin.call('CLIENT', 'PAUSE', String(pauseMs), 'ALL');
    try {
      const startedAt = Date.now();
      await expect(limiter.take('k')).rejects.toMatchObject({ code: 'shared_state_unavailable' });
      const waitedMs = Date.now() - startedAt;
      expect(waitedMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
      expect(waitedMs).toBeLessThan(pauseMs / 2);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
  });

  test('refuses a timeout that is not a positive integer', () => {
    expect(() =>
      connectRedis({ url: server.url, name: 'test', onError: () => undefined, commandTimeoutMs: 0 }),
    ).toThrow(expect.objectContaining({ code: 'shared_state_invalid_option' }));
  });
});

describe('revocation channel', () => {
  test('a published hash reaches every subscriber; malformed entries are dropped', async () => {
    const received: string[][] = [[], []];
    const subscribed = [0, 0];
    const stops = [0, 1].map((index) =>
      subscribeToRevocations({
        redis: connect(true),
        onRevoked: (hashes) => received[index]?.push(...hashes),
        onSubscribed: () => {
          subscribed[index] = (subscribed[index] ?? 0) + 1;
        },
      }),
    );
    const publisher = connect();
    await until(() => subscribed.every((count) => count > 0));
    await until(async () => (await publisher.pubsub('NUMSUB', 'airlock:revoked'))[1] === 2);
    await publishRevokedTokens(publisher, [HASH_A, 'not a hash', HASH_B]);
    await until(() => received.every((hashes) => hashes.length === 2));
    expect(received).toEqual([
      [HASH_A, HASH_B],
      [HASH_A, HASH_B],
    ]);
    for (const stop of stops) stop();
  });
});

describe('SharedNegativeResults', () => {
  test('a recorded refusal is seen by another connection, for its TTL only, per issuer', async () => {
    const writer = new SharedNegativeResults({ redis: connect(), issuer: 'http://a/auth', ttlMs: 300 });
    const reader = new SharedNegativeResults({ redis: connect(), issuer: 'http://a/auth', ttlMs: 300 });
    const otherIssuer = new SharedNegativeResults({ redis: connect(), issuer: 'http://b/auth', ttlMs: 300 });
    await until(() => connections.every((redis) => redis.status === 'ready'));
    expect(await reader.isInactive(HASH_A)).toBe(false);
    await writer.recordInactive(HASH_A);
    expect(await reader.isInactive(HASH_A)).toBe(true);
    expect(await otherIssuer.isInactive(HASH_A)).toBe(false);
    await until(async () => !(await reader.isInactive(HASH_A)), 2000);
  });
});
