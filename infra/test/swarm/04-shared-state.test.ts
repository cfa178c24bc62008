// Swarm proof 4: two gateways, two auth, two orders and two payments replicas behave as one service each, because
// what they must agree on lives in Redis and PostgreSQL: one rate limit across both gateways, a revoked token
// refused by both gateways within 2 s (with their caches at the production 30 s), and exactly one charge per order
// whichever replicas the concurrent pays land on.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  SWARM_PROOF_CACHE_MAX_TTL_SECONDS,
  SWARM_PROOF_TOKEN_BURST,
  SWARM_PROOF_TOKEN_PER_SECOND,
} from '../../src/swarm-proof-environment.js';
import { firstSku, type EdgeClient } from '../containers/support/edge-client.js';
import { jsonLogLinesOf, sleep } from '../containers/support/stack-state.js';
import { chargesOf } from './support/payments-ledger.js';
import { tasksOf } from './support/swarm-stack.js';
import { useSwarm } from './support/use-swarm.js';

const REVOCATION_BOUND_MS = 2000;
const CONCURRENT_PAYS = 50;
/** The answers that tell a client to retry a pay, having charged nothing (see the test). */
const RETRY_LATER = /^503 .*"code":"(payment_unavailable|service_unavailable)"/;
const swarm = useSwarm();
/** Every answer `spread` got that is neither a success nor a conflict, with its body: its code says which hop refused. */
const refusals: string[] = [];

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Runs `count` calls, `concurrency` at a time, the i-th on gateway i mod 2; returns each gateway's answers. */
async function spread(
  count: number,
  concurrency: number,
  call: (client: EdgeClient, index: number) => Promise<Answer>,
): Promise<Answer[][]> {
  const { gateways } = swarm();
  const answers: Answer[][] = gateways.map(() => []);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      const target = index % gateways.length;
      const gateway = gateways[target];
      if (gateway === undefined) throw new Error('no gateway');
      const { status, body } = await call(gateway.client, index);
      answers[target]?.push({ status, body });
      if (status >= 400 && status !== 409) refusals.push(`${String(status)} ${body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

const countOf = (answers: readonly Answer[], status: number): number =>
  answers.filter((answer) => answer.status === status).length;

/** The `paidAt` of each successful pay: one payment shows one time, however many answers show it. */
function paidAtOf(answers: readonly Answer[]): Set<unknown> {
  return new Set(
    answers
      .filter((answer) => answer.status === 200)
      .map((answer) => (JSON.parse(answer.body) as { paidAt?: unknown }).paidAt),
  );
}

function idOf(body: string): string {
  const parsed = JSON.parse(body) as { id?: unknown };
  if (typeof parsed.id !== 'string') throw new Error(`no order id in ${body}`);
  return parsed.id;
}

/** Requests whose access-log line (path matching `path`, method POST) each task of `service` wrote since `since`. */
async function postsPerTask(service: string, path: RegExp, since: number): Promise<number[]> {
  const tasks = await tasksOf(service);
  return Promise.all(
    tasks.map(
      async (task) =>
        (await jsonLogLinesOf(task, Math.floor(since / 1000))).filter(
          (line) => line.msg === 'request' && line.method === 'POST' && path.test(String(line.path)),
        ).length,
    ),
  );
}

describe('shared state across replicas on Swarm', () => {
  it('runs two gateways', () => {
    expect(swarm().gateways).toHaveLength(2);
  });

  it('enforces one rate limit per token across both gateways (Redis), not one per gateway', async () => {
    const { accessToken } = await swarm().client.signIn('alice');
    const sent = SWARM_PROOF_TOKEN_BURST * 2;
    const started = Date.now();
    const statuses = await spread(sent, 12, (client) => client.call('GET', '/api/catalog', accessToken));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const all = statuses.flat();
    const accepted = countOf(all, 200);
    // One bucket: its burst plus what it refilled meanwhile. One per gateway would have let every request through.
    const bound = SWARM_PROOF_TOKEN_BURST + Math.ceil(SWARM_PROOF_TOKEN_PER_SECOND * elapsedSeconds) + 1;
    expect(all).toHaveLength(sent);
    expect(countOf(all, 200) + countOf(all, 429)).toBe(sent);
    expect(accepted).toBeGreaterThanOrEqual(SWARM_PROOF_TOKEN_BURST);
    expect(accepted).toBeLessThanOrEqual(bound);
    for (const perGateway of statuses) {
      expect(countOf(perGateway, 200)).toBeGreaterThan(0);
      expect(countOf(perGateway, 429)).toBeGreaterThan(0);
    }
  });

  it(`refuses a revoked token at both gateways within ${String(REVOCATION_BOUND_MS)} ms, though each cached it for up to ${String(SWARM_PROOF_CACHE_MAX_TTL_SECONDS)} s`, async () => {
    const { client, gateways } = swarm();
    const { accessToken } = await client.signIn('alice');
    for (const gateway of gateways) {
      expect((await gateway.client.call('GET', '/api/orders', accessToken)).status).toBe(200);
    }
    await client.revoke(accessToken);
    const revokedAt = Date.now();
    const refusedAfter = await Promise.all(
      gateways.map(async (gateway) => {
        while (Date.now() - revokedAt < REVOCATION_BOUND_MS * 5) {
          const { status } = await gateway.client.call('GET', '/api/orders', accessToken);
          if (status === 401) return Date.now() - revokedAt;
          expect(status).toBe(200);
          await sleep(100);
        }
        return Number.POSITIVE_INFINITY;
      }),
    );
    for (const afterMs of refusedAfter) expect(afterMs).toBeLessThanOrEqual(REVOCATION_BOUND_MS);
    for (const gateway of gateways) {
      expect((await gateway.client.call('GET', '/api/orders', accessToken)).status).toBe(401);
    }
  });

  it(`charges an order once for ${String(CONCURRENT_PAYS)} concurrent pays over both gateways, two orders and two payments replicas`, async () => {
    const since = Date.now();
    refusals.length = 0;
    const [payments] = await tasksOf('payments');
    if (payments === undefined) throw new Error('no payments task');
    const createOrder = async (client: EdgeClient, token: string): Promise<string> => {
      const sku = firstSku((await client.call('GET', '/api/catalog', token)).body);
      const created = await client.call('POST', '/api/orders', token, {
        json: { items: [{ sku, quantity: 1 }] },
      });
      expect(created.status).toBe(201);
      return idOf(created.body);
    };
    const { client } = swarm();

    // One Idempotency-Key for every pay: one charge, every answer the same payment or a conflict while in flight.
    const sameKeyToken = (await client.signIn('alice')).accessToken;
    const sameKeyOrder = await createOrder(client, sameKeyToken);
    const key = randomUUID();
    const sameKey = (
      await spread(CONCURRENT_PAYS, CONCURRENT_PAYS, (gateway) =>
        gateway.call('POST', `/api/orders/${sameKeyOrder}/pay`, sameKeyToken, undefined, {
          'idempotency-key': key,
        }),
      )
    ).flat();

    // A key per pay: still one charge, the other pays refused as already paid.
    const manyKeysToken = (await client.signIn('alice')).accessToken;
    const manyKeysOrder = await createOrder(client, manyKeysToken);
    const manyKeys = (
      await spread(CONCURRENT_PAYS, CONCURRENT_PAYS, (gateway) =>
        gateway.call('POST', `/api/orders/${manyKeysOrder}/pay`, manyKeysToken, undefined, {
          'idempotency-key': randomUUID(),
        }),
      )
    ).flat();

    // A pay that arrives while another is in flight may be told to retry: 409, or 503 when a hop gave up under
    // the burst on two cores (orders' payment_unavailable, "nothing was charged"; the gateway's
    // service_unavailable when auth did not mint the pay's token in time: it fails closed). None may charge twice,
    // and the client's retry with the same key gets the one payment.
    const retried = await client.call('POST', `/api/orders/${sameKeyOrder}/pay`, sameKeyToken, undefined, {
      'idempotency-key': key,
    });
    expect(retried.status).toBe(200);
    expect(paidAtOf([...sameKey, retried]).size).toBe(1);
    expect(await chargesOf(payments, sameKeyOrder)).toBe(1);
    expect(await chargesOf(payments, manyKeysOrder)).toBe(1);
    for (const answers of [sameKey, manyKeys]) {
      expect(answers).toHaveLength(CONCURRENT_PAYS);
      expect(paidAtOf(answers).size).toBeLessThanOrEqual(1);
    }
    expect(refusals.filter((answer) => !RETRY_LATER.test(answer))).toEqual([]);
    // The pays did land on both replicas of orders, and the charges reached both replicas of payments.
    const ordersPays = await postsPerTask('orders', /\/pay$/, since);
    const paymentsCharges = await postsPerTask('payments', /^\/charges$/, since);
    expect(ordersPays).toHaveLength(2);
    expect(paymentsCharges).toHaveLength(2);
    for (const count of [...ordersPays, ...paymentsCharges]) expect(count).toBeGreaterThan(0);
  });
});
