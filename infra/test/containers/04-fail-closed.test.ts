// Proof 4: with auth gone, the gateway refuses quickly and forwards nothing; when auth comes back, service
// resumes on its own, without restarting anything.
import { afterAll, describe, expect, it } from '@jest/globals';
import { EdgeClient, type ApiAnswer } from './support/edge-client.js';
import { markdownTable, recordFinding } from './support/proof-report.js';
import {
  jsonLogLinesOf,
  runStateOf,
  serviceOf,
  sleep,
  startService,
  stopService,
  waitUntilHealthy,
} from './support/stack-state.js';
import { useStack } from './support/use-stack.js';

/** The gateway must answer within this while auth is down (its auth timeout is at most 2 s). */
const REFUSAL_DEADLINE_MS = 2000;
const RECOVERY_DEADLINE_MS = 30_000;
const FAIL_CLOSED_STATUSES = [503, 401];

const failures: string[] = [];
const observed: string[] = [];
const stack = useStack();

function check(ok: boolean, failure: string): void {
  if (!ok) failures.push(failure);
}

afterAll(() => {
  const launchError = stack.launchError();
  if (launchError !== undefined) failures.push(`the stack did not start: ${launchError}`);
  recordFinding({
    id: 'fail-closed',
    claim:
      `With auth unreachable, the gateway answers ${FAIL_CLOSED_STATUSES.join(' or ')} within ${REFUSAL_DEADLINE_MS / 1000} s, ` +
      'leaks nothing about why, and forwards no request; when auth returns, requests succeed again with no restart.',
    method:
      'A signed-in client’s token is used once (200), the gateway’s cache is let expire, the auth container is ' +
      'stopped (`docker stop`), and the client retries with the same token, an unknown token and a write. ' +
      'orders’ access log shows whether anything was forwarded. auth is started again and the client retries ' +
      'until it succeeds; the gateway’s and orders’ start times and restart counts are compared.',
    observed: observed.join('\n'),
    failures,
  });
});

describe('fail closed', () => {
  it('refuses fast while auth is down, forwards nothing, and recovers without restarts', async () => {
    const current = stack.get();
    const client = new EdgeClient(current);
    const auth = serviceOf(current, 'auth');
    const gateway = serviceOf(current, 'gateway');
    const orders = serviceOf(current, 'orders');
    const { accessToken } = await client.signIn('bob');
    const warm = await client.call('GET', '/api/orders', accessToken);
    check(warm.status === 200, `before the outage the token did not work (${warm.status})`);
    const gatewayBefore = await runStateOf(gateway);
    const ordersBefore = await runStateOf(orders);
    // Let every cached resolution expire (the suite's cache bound is 2 s), so each request needs auth.
    await sleep(
      Number(current.environmentOverrides.gateway?.AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS ?? '2') * 1000 + 500,
    );

    await stopService(auth);
    const outageStartedAt = Math.floor(Date.now() / 1000);
    const attempts: [string, ApiAnswer][] = [];
    for (let i = 0; i < 3; i += 1)
      attempts.push(['GET /api/orders (known token)', await client.call('GET', '/api/orders', accessToken)]);
    attempts.push(['GET /api/catalog (known token)', await client.call('GET', '/api/catalog', accessToken)]);
    attempts.push([
      'POST /api/orders (known token)',
      await client.call('POST', '/api/orders', accessToken, { json: { items: [{ sku: 'x', quantity: 1 }] } }),
    ]);
    attempts.push([
      'GET /api/orders (unknown token)',
      await client.call('GET', '/api/orders', 'an-unknown-token-that-only-auth-could-judge'),
    ]);
    const rows = attempts.map(([what, answer]) => [
      what,
      String(answer.status),
      `${answer.durationMs} ms`,
      answer.body.slice(0, 120),
    ]);
    for (const [what, answer] of attempts) {
      check(
        FAIL_CLOSED_STATUSES.includes(answer.status),
        `${what} answered ${answer.status} while auth was down`,
      );
      check(
        answer.durationMs <= REFUSAL_DEADLINE_MS,
        `${what} took ${answer.durationMs} ms while auth was down`,
      );
      check(
        !/auth:|8081|172\.|ECONN|ENOTFOUND|EAI_AGAIN|undici|at \S+ \(/.test(answer.body),
        `${what} leaked internals: ${answer.body.slice(0, 200)}`,
      );
    }
    await sleep(1000);
    const forwarded = (await jsonLogLinesOf(orders, outageStartedAt)).filter(
      (line) =>
        line.msg === 'request' && typeof line.path === 'string' && !/^\/(healthz|readyz)$/.test(line.path),
    );
    check(forwarded.length === 0, `orders received ${forwarded.length} requests while auth was down`);
    observed.push(
      'While auth was stopped:',
      '',
      markdownTable(['request', 'status', 'time', 'body (start)'], rows),
      '',
      `Requests that reached orders during the outage (its access log, health probes aside): ${forwarded.length}.`,
      '',
    );

    await startService(auth);
    const restartedAt = Date.now();
    await waitUntilHealthy(auth);
    let recovered: ApiAnswer | undefined;
    while (Date.now() - restartedAt < RECOVERY_DEADLINE_MS) {
      const answer = await client.call('GET', '/api/orders', accessToken);
      if (answer.status === 200) {
        recovered = answer;
        break;
      }
      await sleep(250);
    }
    const recoveryMs = Date.now() - restartedAt;
    check(recovered !== undefined, `no 200 within ${RECOVERY_DEADLINE_MS / 1000} s of auth coming back`);
    const gatewayAfter = await runStateOf(gateway);
    const ordersAfter = await runStateOf(orders);
    check(
      gatewayAfter.startedAt === gatewayBefore.startedAt &&
        gatewayAfter.restartCount === gatewayBefore.restartCount,
      'the gateway was restarted',
    );
    check(
      ordersAfter.startedAt === ordersBefore.startedAt &&
        ordersAfter.restartCount === ordersBefore.restartCount,
      'orders was restarted',
    );
    observed.push(
      `After \`docker start\` of auth: the same token answered 200 again ${recovered === undefined ? 'never' : `${recoveryMs} ms later`} ` +
        `(auth's own start and health check included). Gateway started at ${gatewayBefore.startedAt} before and ` +
        `${gatewayAfter.startedAt} after (restarts: ${gatewayAfter.restartCount}); orders likewise ${ordersAfter.startedAt === ordersBefore.startedAt ? 'unchanged' : 'CHANGED'}.`,
    );
    expect(failures).toEqual([]);
  });
});
