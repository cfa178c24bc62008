// Swarm proof 6: with every auth replica stopped (scaled to 0), both gateways refuse within 2 s, leak nothing
// about why, and forward nothing to orders; scaled back, both serve again without being restarted.
import { describe, expect, it } from '@jest/globals';
import { jsonLogLinesOf } from '../containers/support/stack-state.js';
import { desiredReplicasOf, scale, tasksOf, waitForTasks } from './support/swarm-stack.js';
import { useSwarm } from './support/use-swarm.js';

/** The gateway must answer within this while auth is away (its auth timeout is at most 2 s). */
const REFUSAL_DEADLINE_MS = 2000;
const RECOVERY_DEADLINE_MS = 60_000;
const FAIL_CLOSED_STATUSES = [401, 503];
/** What a refusal may say: the gateway's own codes, never a hop's error, address or stack. */
const LEAK = /ECONN|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|10\.0\.|stack|undici|auth:8081|postgres/i;
const swarm = useSwarm();

describe('fail closed with every auth replica stopped, on Swarm', () => {
  it('refuses at both gateways, forwards nothing, and recovers when auth is scaled back', async () => {
    const { client, gateways } = swarm();
    const replicas = await desiredReplicasOf('auth');
    const gatewaysBefore = (await tasksOf('gateway')).map((task) => task.containerId).sort();
    // Signed in but never used: no gateway has it cached, so every answer below needs auth.
    const { accessToken } = await client.signIn('alice');
    await scale('auth', 0);
    const stoppedAt = Math.floor(Date.now() / 1000);
    try {
      await waitForTasks('auth', 0);
      for (const gateway of gateways) {
        for (const [token, method, path] of [
          [accessToken, 'GET', '/api/orders'],
          [accessToken, 'POST', '/api/orders'],
          ['an-unknown-token-of-forty-characters-000', 'GET', '/api/orders'],
        ] as const) {
          const answer = await gateway.client.call(
            method,
            path,
            token,
            method === 'POST' ? { json: { items: [] } } : undefined,
          );
          expect({ path, status: FAIL_CLOSED_STATUSES.includes(answer.status) }).toEqual({
            path,
            status: true,
          });
          expect(answer.durationMs).toBeLessThanOrEqual(REFUSAL_DEADLINE_MS);
          expect(answer.body).not.toMatch(LEAK);
        }
      }
      // Nothing reached orders while auth was away.
      for (const orders of await tasksOf('orders')) {
        const forwarded = (await jsonLogLinesOf(orders, stoppedAt)).filter(
          (line) => line.msg === 'request' && String(line.path).startsWith('/orders'),
        );
        expect(forwarded).toEqual([]);
      }
    } finally {
      await scale('auth', replicas);
    }
    await waitForTasks('auth', replicas);
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (const gateway of gateways) {
      let status = 0;
      while (Date.now() < deadline) {
        ({ status } = await gateway.client.call('GET', '/api/orders', accessToken));
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(status).toBe(200);
    }
    expect((await tasksOf('gateway')).map((task) => task.containerId).sort()).toEqual(gatewaysBefore);
  });
});
