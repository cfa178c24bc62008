// Two auth replicas sharing one real redis-server (issue 12): failed logins counted by one replica count at the
// other; with Redis down, sign-in and the token endpoint refuse (503, fail closed) and serve again by themselves
// when Redis returns.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRedisServer, type RedisServer } from '@airlock/testing/redis-server';
import { removeDataDir, startAuth, type RunningAuth } from './support/auth-server.js';
import { expectNoInternals, openLoginPage } from './support/interaction.js';

// The default capacities with refills too slow to matter while the test runs.
const SLOW_REFILL = {
  perUsername: { capacity: 5, refillSeconds: 3600 },
  perAddress: { capacity: 20, refillSeconds: 3600 },
};

/** Made per run (the repository holds no password, not even a wrong one). */
const WRONG_PASSWORD = randomBytes(12).toString('base64url');

let redis: RedisServer;
let replicas: readonly RunningAuth[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { AIRLOCK_REDIS_URL: redis.url };
  replicas = [
    await startAuth({ env, rateLimits: SLOW_REFILL }),
    await startAuth({ env, rateLimits: SLOW_REFILL }),
  ];
}, 60_000);
afterAll(async () => {
  for (const replica of replicas) {
    await replica.stop();
    await removeDataDir(replica.dataDir);
  }
  await redis.close();
});

function replica(index: number): RunningAuth {
  const found = replicas[index];
  if (found === undefined) throw new Error('no such replica');
  return found;
}

async function attempt(target: RunningAuth, username: string): Promise<{ status: number; text: string }> {
  const page = await openLoginPage(target.issuer);
  const response = await page.browser.submitForm(page.pageUrl, page.html, {
    username,
    password: WRONG_PASSWORD,
  });
  return { status: response.status, text: await response.text() };
}

async function tokenEndpoint(target: RunningAuth): Promise<Response> {
  return fetch(`${target.origin}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'x',
      client_id: 'airlock-cli',
    }).toString(),
  });
}

describe('login limits shared by two auth replicas', () => {
  it('counts failures at either replica against one (username, client) bucket', async () => {
    // 5 failures allowed per name and client: 3 at the first replica, 2 at the second.
    for (const index of [0, 0, 0, 1, 1]) expect((await attempt(replica(index), 'alice')).status).toBe(200);
    // Per-process limits would allow the first replica two more and the second three more.
    expect((await attempt(replica(0), 'alice')).status).toBe(429);
    expect((await attempt(replica(1), 'alice')).status).toBe(429);
    // Another name from the same client still has its own bucket.
    expect((await attempt(replica(1), 'bob')).status).toBe(200);
  }, 60_000);

  it('refuses sign-in and the token endpoint while Redis is down, and serves again when it is back', async () => {
    const page = await openLoginPage(replica(0).issuer);
    await redis.stop();
    const refused = await page.browser.submitForm(page.pageUrl, page.html, {
      username: 'carol',
      password: WRONG_PASSWORD,
    });
    const refusedText = await refused.text();
    expect(refused.status).toBe(503);
    expectNoInternals(refusedText);
    expect(refusedText).not.toMatch(/redis|ECONNREFUSED/i);

    const token = await tokenEndpoint(replica(1));
    expect(token.status).toBe(503);
    expect(await token.json()).toMatchObject({ error: 'temporarily_unavailable' });

    await redis.start();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await attempt(replica(0), 'carol')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    // Back: the token endpoint answers again (an OAuth error for the made-up code, not 503).
    const answered = await tokenEndpoint(replica(1));
    expect(answered.status).toBe(400);
  }, 60_000);
});
