// Exactly-once payment under concurrent retries, and a payments outage that leaves the order unpaid and
// safely retryable, on the real orders, payments and auth behind the real gateway.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { call, fieldOf, orderOne, startE2eStack, type E2eStack } from './support/e2e-stack.js';

const CONCURRENT_RETRIES = 50;

let e2e: E2eStack;
let alice: string;
let sku: string;

function newOrder(): Promise<string> {
  return orderOne(e2e.edgeUrl, alice, sku);
}

function chargesFor(orderId: string): number {
  const db = new DatabaseSync(join(e2e.dataDir, 'payments', 'payments.db'), { readOnly: true });
  try {
    const row = db.prepare('SELECT COUNT(*) AS n FROM charges WHERE order_id = ?').get(orderId);
    return Number(fieldOf(row, 'n'));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  // Every pay is its own exchange at auth (the user's intent, never a cached token), so 50 pays at once from one
  // client need a per-client share of 50 exchanges in flight (the default, 16, answers the rest 429).
  e2e = await startE2eStack({}, { gateway: { AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: '64' } });
  alice = await e2e.signIn('alice');
  const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
  sku = String(fieldOf((catalog.body as unknown[])[0], 'sku'));
});
afterAll(async () => {
  await e2e.close();
});

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
    expect(chargesFor(orderId)).toBe(1);
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
    expect(chargesFor(orderId)).toBe(1);
  });
});
