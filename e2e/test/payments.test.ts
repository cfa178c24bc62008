// Exactly-once payment under concurrent retries, and a payments outage that leaves the order unpaid and
// safely retryable, on the real orders, payments and auth behind the real gateway: on both engines (on
// PostgreSQL, each of the three on its own database of one real server).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';
import { startPostgresServer } from '@airlock/testing/postgres-server';
import type { PostgresServer } from '@airlock/testing/postgres-server';
import { airlockTopology } from '@airlock/topology';

import { chargesOf } from './support/charges.js';
import { call, fieldOf, orderOne, startE2eStack, type E2eStack } from './support/e2e-stack.js';

const CONCURRENT_RETRIES = 50;

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  let e2e: E2eStack;
  /** PostgreSQL only: the server, each service's AIRLOCK_DATABASE_URL, and payments' to count its charges. */
  let server: PostgresServer | undefined;
  const databases: Record<string, Record<string, string>> = {};
  let paymentsDatabaseUrl: URL | undefined;
  let alice: string;
  let sku: string;

  function newOrder(): Promise<string> {
    return orderOne(e2e.edgeUrl, alice, sku);
  }

  function chargesFor(orderId: string): Promise<number> {
    const sqliteFile = join(e2e.dataDir, 'payments', 'payments.db');
    return chargesOf({ databaseUrl: paymentsDatabaseUrl, sqliteFile }, orderId);
  }

  beforeAll(async () => {
    if (engine === 'postgres') {
      server = await startPostgresServer();
      // A database of its own for every service, as --shared-state gives them; one without storage never connects.
      for (const { name } of airlockTopology.services) {
        databases[name] = { AIRLOCK_DATABASE_URL: await server.createDatabase(name.replaceAll('-', '_')) };
      }
      paymentsDatabaseUrl = new URL(databases['payments']?.AIRLOCK_DATABASE_URL ?? '');
    }
    // Every pay is its own exchange at auth (the user's intent, never a cached token), so 50 pays at once from one
    // client need a per-client share of 50 exchanges in flight (the default, 16, answers the rest 429).
    e2e = await startE2eStack(
      {},
      { ...databases, gateway: { ...databases['gateway'], AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: '64' } },
    );
    alice = await e2e.signIn('alice');
    const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
    sku = String(fieldOf((catalog.body as unknown[])[0], 'sku'));
  }, 120_000);
  afterAll(async () => {
    await e2e.close();
    await server?.stop();
  }, 60_000);

  describe('paying', () => {
    it(`charges once for ${String(CONCURRENT_RETRIES)} concurrent retries with one idempotency key`, async () => {
      const orderId = await newOrder();
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT_RETRIES }, () =>
          call(`${e2e.edgeUrl}/api/orders/${orderId}/pay`, alice, {
            method: 'POST',
            headers: { 'idempotency-key': 'e2e-concurrent-0001' },
          }),
        ),
      );
      const succeeded = answers.filter((answer) => answer.status === 200);
      // Retries that arrive while the first attempt is in flight may be told to retry (409/503); none may charge twice.
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      for (const answer of answers) expect([200, 409, 503]).toContain(answer.status);
      expect(new Set(succeeded.map((answer) => fieldOf(answer.body, 'paidAt'))).size).toBe(1);
      expect(await chargesFor(orderId)).toBe(1);
    });

    it('leaves the order unpaid when payments is down, and a retry with the same key pays once', async () => {
      const orderId = await newOrder();
      await e2e.stack.stopService('payments');
      try {
        const failed = await call(`${e2e.edgeUrl}/api/orders/${orderId}/pay`, alice, {
          method: 'POST',
          headers: { 'idempotency-key': 'e2e-outage-0001' },
        });
        expect(failed.status).toBe(503);
        expect(failed.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/i);
        const unpaid = await call(`${e2e.edgeUrl}/api/orders/${orderId}`, alice);
        expect(fieldOf(unpaid.body, 'status')).toBe('pending_payment');
      } finally {
        await e2e.stack.startService('payments');
      }
      const retried = await call(`${e2e.edgeUrl}/api/orders/${orderId}/pay`, alice, {
        method: 'POST',
        headers: { 'idempotency-key': 'e2e-outage-0001' },
      });
      expect(retried.status).toBe(200);
      expect(fieldOf(retried.body, 'status')).toBe('paid');
      expect(await chargesFor(orderId)).toBe(1);
    });
  });
});
