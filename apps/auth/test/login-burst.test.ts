// Issue 11, finding 3: a burst of concurrent sign-ins. Each attempt is reserved against the limits before its
// password is hashed, so 60 concurrent wrong passwords for one username are not all checked; and password checks
// are capped, so token exchange (which shares the crypto thread pool) stays responsive while logins are flooded.
// On both engines of auth's store (the attempts' interactions live in it).
import { performance } from 'node:perf_hooks';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLoopbackCallback, type LoopbackCallback } from '@airlock/client/loopback-callback';
import { removeDataDir, startAuth, type RunningAuth } from './support/auth-server.js';
import { openLoginPage } from './support/interaction.js';
import { codeFlow, discoverPublicClient } from './support/oauth-client.js';
import { exchangeAs, setUpWorkloads, type Workloads } from './support/workloads.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

const BURST = 60;
/**
 * The gateway gives up on an exchange after 2 s and answers 503: during the burst, exchange p99 must stay below
 * that (before the fix it was over 50 s). The figure and its baseline are printed for the record.
 */
const EXCHANGE_P99_BOUND_MS = 2000;

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  let loopback: LoopbackCallback;
  const servers: RunningAuth[] = [];

  interface Target {
    readonly server: RunningAuth;
    readonly logLines: string[];
    readonly workloads: Workloads;
    readonly aliceToken: string;
  }

  /** A server of the test's own (fresh limits), with the services' keys and a token of alice's to exchange. */
  async function startTarget(): Promise<Target> {
    const logLines: string[] = [];
    const server = await startAuth({ database: await databases.next(), logLines });
    servers.push(server);
    const workloads = await setUpWorkloads(server);
    const cli = await discoverPublicClient(server.issuer, 'airlock-cli');
    const { tokens } = await codeFlow(cli, {
      redirectUri: loopback.redirectUri,
      scope: 'openid orders',
      username: 'alice',
    });
    return { server, logLines, workloads, aliceToken: tokens.access_token };
  }

  beforeAll(async () => {
    loopback = await startLoopbackCallback();
  });

  afterAll(async () => {
    await loopback.close();
    for (const server of servers) {
      await server.stop();
      await removeDataDir(server.dataDir);
    }
  });

  /** Opens `count` login pages; the returned function submits them all at once and resolves with the statuses. */
  async function prepareBurst(
    target: RunningAuth,
    count: number,
    usernameOf: (index: number) => string,
  ): Promise<() => Promise<number[]>> {
    const pages = await Promise.all(Array.from({ length: count }, () => openLoginPage(target.issuer)));
    return async () => {
      const responses = await Promise.all(
        pages.map((page, index) =>
          page.browser.submitForm(page.pageUrl, page.html, {
            username: usernameOf(index),
            password: 'wrong-guess',
          }),
        ),
      );
      return Promise.all(
        responses.map(async (response) => {
          await response.text();
          return response.status;
        }),
      );
    };
  }

  function p99(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return (
      sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.POSITIVE_INFINITY
    );
  }

  function auditReasons(logLines: readonly string[]): string[] {
    return logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['audit'] === true && line['route'] === 'POST /auth/interaction/:uid/login')
      .map((line) => String(line['reason']));
  }

  describe('a burst of sign-ins', () => {
    it(`checks at most 5 of ${String(BURST)} concurrent wrong passwords for one username`, async () => {
      const { server, logLines } = await startTarget();
      const submit = await prepareBurst(server, BURST, () => 'bob');
      logLines.length = 0;
      const statuses = await submit();
      const checked = auditReasons(logLines).filter((reason) => reason === 'bad_credentials').length;
      expect(checked).toBeLessThanOrEqual(5);
      // The rest were refused before any hashing (429); a reserved attempt that waited too long for a check is 503.
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(BURST - 5);
      expect(statuses.every((status) => [200, 429, 503].includes(status))).toBe(true);
    }, 120_000);

    // The bound is relative to the same machine's p99 just before the burst: on a loaded CI machine a plain exchange
    // already takes seconds, and what the fix must prevent is the burst adding more than the gateway's deadline (it
    // added 47 s before the fix).
    it(`adds less than the gateway's ${String(EXCHANGE_P99_BOUND_MS)} ms deadline to token exchange p99 during a ${String(BURST)}-login burst`, async () => {
      const { server, workloads, aliceToken } = await startTarget();
      const exchangeOnce = async (): Promise<number> => {
        const started = performance.now();
        const { status } = await exchangeAs(workloads, 'gateway', {
          subject_token: aliceToken,
          audience: 'orders',
        });
        expect(status).toBe(200);
        return performance.now() - started;
      };
      const baseline: number[] = [];
      for (let i = 0; i < 5; i += 1) baseline.push(await exchangeOnce());
      // Distinct usernames: only the per-client limit applies, so as many passwords are checked as it allows.
      const submit = await prepareBurst(server, BURST, (index) => `user${String(index)}`);
      const latencies: number[] = [];
      const burstState = { running: true };
      const exchanges = (async () => {
        while (burstState.running) latencies.push(await exchangeOnce());
      })();
      await submit();
      burstState.running = false;
      await exchanges;
      const during = p99(latencies);
      const before = p99(baseline);
      process.stdout.write(
        `token exchange p99: ${before.toFixed(0)} ms before, ${during.toFixed(0)} ms during the burst (${String(latencies.length)} calls)\n`,
      );
      expect(latencies.length).toBeGreaterThan(0);
      expect(during).toBeLessThan(before + EXCHANGE_P99_BOUND_MS);
    }, 120_000);
  });
});
