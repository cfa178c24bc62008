// Swarm proof 5: a signing-key rotation and a rolling update of auth (both replicas replaced one at a time, the
// new task healthy before the old one stops) under a steady stream of requests, and not one valid request is
// refused or fails. The stream holds both requests served from the gateways' caches and fresh sign-ins, each used
// at once: those need auth (login, code exchange, introspection, token exchange) while its tasks are replaced.
import { describe, expect, it } from '@jest/globals';
import { execIn, sleep } from '../containers/support/stack-state.js';
import { docker, swarmServiceName, tasksOf, waitForTasks } from './support/swarm-stack.js';
import { useSwarm } from './support/use-swarm.js';

/** Tokens the cached stream cycles through: each stays under its own rate limit (5 per second). */
const STREAM_TOKENS = 10;
const STREAM_PAUSE_MS = 100;
const FRESH_SIGN_IN_EVERY_MS = 1000;
const PROMOTION_WAIT_LIMIT_MS = 120_000;
const ROLLING_UPDATE_TIMEOUT_MS = 240_000;
const swarm = useSwarm();

describe('rolling update of auth with a key rotation, on Swarm', () => {
  it('replaces both auth tasks and rotates the signing key with zero refused or failed requests', async () => {
    const { client } = swarm();
    const authBefore = await waitForTasks('auth', 2);
    const rotate = async (step: string) => {
      const [auth] = await tasksOf('auth');
      if (auth === undefined) throw new Error('no auth task');
      return execIn(auth, ['/nodejs/bin/node', 'dist/cli/rotate-keys.js', step]);
    };
    const tokens: string[] = [];
    for (let index = 0; index < STREAM_TOKENS; index += 1)
      tokens.push((await client.signIn('alice')).accessToken);
    const statusBefore = await rotate('status');

    const counts = new Map<string, number>();
    const failures: string[] = [];
    const startedAt = Date.now();
    const record = (kind: string, status: number, body: string): void => {
      counts.set(`${kind} ${String(status)}`, (counts.get(`${kind} ${String(status)}`) ?? 0) + 1);
      if (status !== 200)
        failures.push(
          `${kind}: ${String(status)} ${body.slice(0, 160)} at +${String(Date.now() - startedAt)} ms`,
        );
    };
    let stop = false;
    let next = 0;
    const cachedStream = async (): Promise<void> => {
      while (!stop) {
        const token = tokens[next % tokens.length] ?? '';
        next += 1;
        const { status, body } = await client.call('GET', '/api/orders', token);
        record('cached', status, body);
        await sleep(STREAM_PAUSE_MS);
      }
    };
    const freshStream = async (): Promise<void> => {
      while (!stop) {
        const began = Date.now();
        try {
          const { accessToken } = await client.signIn('alice');
          const { status, body } = await client.call('GET', '/api/orders', accessToken);
          record('fresh', status, body);
        } catch (error) {
          record('sign-in', 0, error instanceof Error ? error.message : String(error));
        }
        await sleep(Math.max(0, FRESH_SIGN_IN_EVERY_MS - (Date.now() - began)));
      }
    };
    const streams = [cachedStream(), cachedStream(), freshStream()];
    const steps: string[] = [];
    try {
      await sleep(2000);
      const staged = await rotate('stage');
      steps.push(`stage: exit ${String(staged.exitCode)}`);
      expect(staged.exitCode).toBe(0);
      const stagedAt = Date.now();
      let promoted = await rotate('promote');
      while (promoted.exitCode !== 0 && Date.now() - stagedAt < PROMOTION_WAIT_LIMIT_MS) {
        await sleep(5000);
        promoted = await rotate('promote');
      }
      steps.push(
        `promote after ${String(Math.round((Date.now() - stagedAt) / 1000))} s: exit ${String(promoted.exitCode)}`,
      );
      expect(promoted.exitCode).toBe(0);
      // The rolling update: one task at a time, start-first (the stack file's update_config); waits until done.
      const updateStartedAt = Date.now();
      await docker(
        ['service', 'update', '--force', '--detach=false', '--quiet', swarmServiceName('auth')],
        ROLLING_UPDATE_TIMEOUT_MS,
      );
      steps.push(`rolling update: ${String(Math.round((Date.now() - updateStartedAt) / 1000))} s`);
      // Past the gateways' re-introspection of cached tokens, with tokens signed by the new key in use.
      await sleep(8000);
    } finally {
      stop = true;
      await Promise.all(streams);
    }
    const authAfter = await waitForTasks('auth', 2);
    const statusAfter = await rotate('status');
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const fresh = counts.get('fresh 200') ?? 0;

    expect(
      authAfter
        .map((task) => task.containerId)
        .filter((id) => authBefore.some((old) => old.containerId === id)),
    ).toEqual([]);
    expect(statusAfter.stdout).not.toEqual(statusBefore.stdout);
    expect({ failures, steps }).toEqual({ failures: [], steps });
    expect(total).toBeGreaterThan(200);
    expect(fresh).toBeGreaterThan(10);
  });
});
