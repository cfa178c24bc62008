// Two gateways and auth sharing one real redis-server (issue 12): one per-token rate limit across both, a
// revoked token refused by both within 2 s (the cache TTL is 30 s here, so only the fan-out can do it), random
// tokens cost auth one lookup each whichever gateway they hit, and with Redis down the shared limit fails
// closed (503 rate_limit_unavailable) and recovers by itself, resubscribed, when Redis is back.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@airlock/local-stack';
import { startRedisServer, type RedisServer } from '@airlock/testing/redis-server';
import { call, fieldOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

/** Long: a revocation seen within 2 s can only come from the fan-out. */
const CACHE_TTL_SECONDS = 30;
const TOKEN_BURST = 40;
const TOKEN_RATE_PER_SECOND = 1;
const REVOCATION_BOUND_MS = 2000;

let redis: RedisServer;
let e2e: E2eStack;
let gateways: readonly [string, string];

beforeAll(async () => {
  redis = await startRedisServer();
  e2e = await startE2eStack({
    AIRLOCK_REDIS_URL: redis.url,
    AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: String(CACHE_TTL_SECONDS),
    AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS: '5',
    AIRLOCK_GATEWAY_RATE_TOKEN_BURST: String(TOKEN_BURST),
    AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: String(TOKEN_RATE_PER_SECOND),
  });
  const second = await e2e.stack.startReplica('gateway', await freePort());
  gateways = [e2e.edgeUrl, second];
}, 90_000);
afterAll(async () => {
  await e2e.close();
  await redis.close();
});

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Token exchanges auth answered so far (its access log: one line per request). */
function exchangesAtAuth(): number {
  return e2e.output.filter((line) => line.startsWith('[auth] ') && line.includes('"path":"/auth/token"'))
    .length;
}

async function revoke(token: string): Promise<number> {
  const response = await fetch(`${e2e.edgeUrl}/auth/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token,
      token_type_hint: 'access_token',
      client_id: 'airlock-cli',
    }).toString(),
  });
  await response.body?.cancel();
  return response.status;
}

/** Milliseconds from now until every gateway refuses the token (401), polling each every 20 ms. */
async function refusedByAllWithin(token: string, limitMs: number): Promise<number> {
  const start = performance.now();
  const refused = new Set<string>();
  while (refused.size < gateways.length) {
    const elapsed = performance.now() - start;
    if (elapsed > limitMs * 3) break;
    for (const gateway of gateways) {
      if (refused.has(gateway)) continue;
      if ((await call(`${gateway}/api/orders`, token)).status === 401) refused.add(gateway);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return refused.size === gateways.length ? performance.now() - start : Number.POSITIVE_INFINITY;
}

describe('two gateways, one Redis', () => {
  it('share one per-token rate limit: the allowed sum across both is one burst', async () => {
    const token = randomToken();
    const start = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 2 * TOKEN_BURST }, (_, index) =>
        call(`${gateways[index % 2] ?? ''}/api/orders`, token),
      ),
    );
    const elapsedSeconds = (performance.now() - start) / 1000;
    const allowed = answers.filter((answer) => answer.status !== 429).length;
    const perGateway = gateways.map(
      (_, which) => answers.filter((answer, index) => index % 2 === which && answer.status !== 429).length,
    );
    console.log(
      `shared rate limit: ${allowed} of ${answers.length} allowed (per gateway ${perGateway.join(' + ')}), ` +
        `burst ${TOKEN_BURST}, ${elapsedSeconds.toFixed(2)} s`,
    );
    // Per-process limits would allow 2 x burst. One bucket allows the burst plus what refilled meanwhile.
    expect(allowed).toBeGreaterThanOrEqual(TOKEN_BURST);
    expect(allowed).toBeLessThanOrEqual(TOKEN_BURST + Math.ceil(elapsedSeconds * TOKEN_RATE_PER_SECOND));
    expect(perGateway.every((count) => count > 0)).toBe(true);
    // The allowed ones reached auth, which does not know the token (401); on a loaded machine an exchange can
    // pass the gateway's 2 s deadline, which fails closed (503). Nothing else, and never a 200.
    const reachedAuth = answers.filter((answer) => answer.status !== 429).map((answer) => answer.status);
    expect(reachedAuth.filter((status) => status !== 401 && status !== 503)).toEqual([]);
    expect(reachedAuth.filter((status) => status === 401).length).toBeGreaterThan(0);
  });

  it('refuses a revoked token at both gateways within 2 s', async () => {
    const token = await e2e.signIn('alice');
    for (const gateway of gateways) expect((await call(`${gateway}/api/orders`, token)).status).toBe(200);
    // Cached at both now; revoke at auth (RFC 7009) and measure until both refuse.
    expect(await revoke(token)).toBe(200);
    const windowMs = await refusedByAllWithin(token, REVOCATION_BOUND_MS);
    console.log(
      `revocation window across two gateways: ${windowMs.toFixed(0)} ms (cache TTL ${CACHE_TTL_SECONDS} s)`,
    );
    expect(windowMs).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  });

  it('asks auth once per random token, whichever gateway sees it first', async () => {
    const tokens = Array.from({ length: 10 }, randomToken);
    const before = exchangesAtAuth();
    for (const token of tokens) {
      for (const gateway of gateways) expect((await call(`${gateway}/api/orders`, token)).status).toBe(401);
    }
    // The access log line is written when auth's response ends; give the last one a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exchangesAtAuth() - before).toBe(tokens.length);
  });

  it('fails closed with Redis down (503 rate_limit_unavailable) and recovers, resubscribed, when it returns', async () => {
    const token = await e2e.signIn('bob');
    for (const gateway of gateways) expect((await call(`${gateway}/api/orders`, token)).status).toBe(200);

    await redis.stop();
    for (const gateway of gateways) {
      const answer = await call(`${gateway}/api/orders`, token);
      expect(answer.status).toBe(503);
      expect(fieldOf(fieldOf(answer.body, 'error'), 'code') ?? fieldOf(answer.body, 'code')).toBe(
        'rate_limit_unavailable',
      );
      expect(answer.text).not.toMatch(/redis|ECONNREFUSED|127\.0\.0\.1:\d+/i);
    }

    await redis.start();
    const recoveredAt = performance.now();
    for (const gateway of gateways) {
      let status = 0;
      while (status !== 200 && performance.now() - recoveredAt < 10_000) {
        status = (await call(`${gateway}/api/orders`, token)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
    }
    // Both resubscribed: a revocation after the outage still reaches both within the bound.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const gateway of gateways) expect((await call(`${gateway}/api/orders`, token)).status).toBe(200);
    expect(await revoke(token)).toBe(200);
    const windowMs = await refusedByAllWithin(token, REVOCATION_BOUND_MS);
    console.log(`revocation window after a Redis restart: ${windowMs.toFixed(0)} ms`);
    expect(windowMs).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
  }, 60_000);
});
