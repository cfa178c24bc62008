// Exactly-once payment across replicas, on PostgreSQL: auth, orders and payments each on their own database of
// a real PostgreSQL server, and a second orders and a second payments process beside the stack's. Half the
// requests go through the gateway to orders #1 (which calls payments #1), half straight to orders #2 with the
// token the gateway would forward (orders #2 calls payments #2): one charge per order, whatever the keys.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@airlock/local-stack';
import { startPostgresServer } from '@airlock/testing/postgres-server';
import type { PostgresServer } from '@airlock/testing/postgres-server';
import { portVariableOf, urlVariableOf } from '@airlock/topology';

import {
  call,
  fieldOf,
  orderOne,
  ROOT_DIR,
  startE2eStack,
  type Answer,
  type E2eStack,
} from './support/e2e-stack.js';
import { chargesOf } from './support/charges.js';

const CONCURRENT = 50;
const READY_TIMEOUT_MS = 30_000;

interface Replica {
  readonly url: string;
  readonly process: ChildProcess;
}

let server: PostgresServer;
let paymentsDatabaseUrl: URL;
let e2e: E2eStack;
const replicas: Replica[] = [];
let alice: string;
/** What the gateway forwards to orders for alice (token exchange as the gateway, audience orders). */
let sku: string;

/** Starts one more process of `service` on a free port with the stack's environment plus `env`. */
async function startReplica(service: string, env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/index.js'], {
    cwd: join(ROOT_DIR, 'apps', service),
    env: { ...e2e.stack.envOf(service), [portVariableOf(service)]: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => e2e.output.push(`[${service} #2] ${chunk.toString('utf8')}`));
  child.stderr.on('data', (chunk: Buffer) => e2e.output.push(`[${service} #2] ${chunk.toString('utf8')}`));
  const replica = { url: `http://127.0.0.1:${String(port)}`, process: child };
  replicas.push(replica);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    const ready = await fetch(`${replica.url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return replica;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service} #2 did not become ready:\n${e2e.output.join('\n')}`);
}

function chargesFor(orderId: string): Promise<number> {
  return chargesOf({ databaseUrl: paymentsDatabaseUrl, sqliteFile: 'unused' }, orderId);
}

function newOrder(): Promise<string> {
  return orderOne(e2e.edgeUrl, alice, sku);
}

/** Pays through orders #1 (via the gateway) for even indexes and through orders #2 for odd ones. */
/** What the gateway sends orders when alice asks to pay `orderId`: a fresh orders token carrying that intent. */
async function intentToPay(orderId: string): Promise<string> {
  const exchanged = await e2e.exchangeAs('gateway', alice, 'orders', {
    authorizationDetails: [{ type: 'airlock_intent', actions: ['charge'], identifier: orderId }],
  });
  expect(exchanged.status).toBe(200);
  return String(fieldOf(await exchanged.json(), 'access_token'));
}

async function payAcrossReplicas(orderId: string, keyOf: (index: number) => string): Promise<Answer[]> {
  const ordersTwo = replicas[1];
  if (ordersTwo === undefined) throw new Error('orders #2 is not running');
  // Orders #2 is called as the gateway would call it: one intent-bearing token per pay (each is redeemed once).
  const intents = await Promise.all(Array.from({ length: CONCURRENT }, () => intentToPay(orderId)));
  return Promise.all(
    Array.from({ length: CONCURRENT }, (_, index) =>
      index % 2 === 0
        ? call(`${e2e.edgeUrl}/api/orders/${orderId}/pay`, alice, {
            method: 'POST',
            headers: { 'idempotency-key': keyOf(index) },
          })
        : call(`${ordersTwo.url}/orders/${orderId}/pay`, intents[index] ?? '', {
            method: 'POST',
            headers: { 'idempotency-key': keyOf(index) },
          }),
    ),
  );
}

beforeAll(async () => {
  server = await startPostgresServer();
  const databaseOf = async (name: string): Promise<Record<string, string>> => ({
    AIRLOCK_DATABASE_URL: await server.createDatabase(name),
  });
  const serviceEnv = {
    auth: await databaseOf('auth'),
    orders: await databaseOf('orders'),
    payments: await databaseOf('payments'),
  };
  paymentsDatabaseUrl = new URL(serviceEnv.payments.AIRLOCK_DATABASE_URL ?? '');
  // Every pay through the gateway is its own exchange (the user's intent): its per-client share must cover them.
  e2e = await startE2eStack(
    {},
    {
      ...serviceEnv,
      gateway: { AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: String(CONCURRENT) },
    },
  );
  const paymentsTwo = await startReplica('payments', {});
  await startReplica('orders', { [urlVariableOf('payments')]: paymentsTwo.url });
  alice = await e2e.signIn('alice');
  const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
  sku = String(fieldOf((catalog.body as unknown[])[0], 'sku'));
}, 120_000);

afterAll(async () => {
  for (const replica of replicas.splice(0)) {
    const exited = new Promise((resolve) => replica.process.once('exit', resolve));
    if (replica.process.exitCode === null) {
      replica.process.kill('SIGTERM');
      await exited;
    }
  }
  await e2e.close();
  await server.stop();
}, 60_000);

describe('exactly-once payment across two orders and two payments replicas on PostgreSQL', () => {
  it(`charges once for ${String(CONCURRENT)} concurrent pays with one idempotency key`, async () => {
    const orderId = await newOrder();
    const answers = await payAcrossReplicas(orderId, () => 'replicas-same-key-0001');
    const succeeded = answers.filter((answer) => answer.status === 200);
    // A retry that arrives while the first attempt is in flight may be told to retry (409/503); none charges twice.
    for (const answer of answers) expect([200, 409, 503]).toContain(answer.status);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(new Set(succeeded.map((answer) => fieldOf(answer.body, 'paidAt'))).size).toBe(1);
    expect(await chargesFor(orderId)).toBe(1);
  });

  it(`charges once for ${String(CONCURRENT)} concurrent pays with different idempotency keys`, async () => {
    const orderId = await newOrder();
    const answers = await payAcrossReplicas(
      orderId,
      (index) => `replicas-key-${String(index).padStart(4, '0')}`,
    );
    for (const answer of answers) expect([200, 409, 503]).toContain(answer.status);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(await chargesFor(orderId)).toBe(1);
    const shown = await call(`${e2e.edgeUrl}/api/orders/${orderId}`, alice);
    expect(fieldOf(shown.body, 'status')).toBe('paid');
  });
});
