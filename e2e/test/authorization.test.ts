// OWASP API1 (object level), API3 (property level) and API5 (function level), decided by the services
// themselves on the real stack, through the gateway.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, fieldOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

let e2e: E2eStack;
let alice: string;
let bob: string;
let aliceOrderId: string;
let sku: string;

beforeAll(async () => {
  e2e = await startE2eStack();
  alice = await e2e.signIn('alice');
  bob = await e2e.signIn('bob');
  const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
  sku = String(fieldOf((catalog.body as unknown[])[0], 'sku'));
  const created = await call(`${e2e.edgeUrl}/api/orders`, alice, {
    method: 'POST',
    body: { items: [{ sku, quantity: 1 }] },
  });
  aliceOrderId = String(fieldOf(created.body, 'id'));
});
afterAll(async () => {
  await e2e.close();
});

describe('object level (API1)', () => {
  it('answers bob’s read of alice’s order exactly as a missing order', async () => {
    const stolen = await call(`${e2e.edgeUrl}/api/orders/${aliceOrderId}`, bob);
    const missing = await call(`${e2e.edgeUrl}/api/orders/00000000-0000-4000-8000-000000000000`, bob);
    expect(stolen.status).toBe(404);
    expect(fieldOf(stolen.body, 'error')).toEqual({
      ...(fieldOf(missing.body, 'error') as object),
      requestId: expect.any(String),
    });
  });

  it('refuses bob paying alice’s order with 404 and leaves it unpaid', async () => {
    const paid = await call(`${e2e.edgeUrl}/api/orders/${aliceOrderId}/pay`, bob, {
      method: 'POST',
      headers: { 'idempotency-key': 'e2e-bola-key-0001' },
    });
    expect(paid.status).toBe(404);
    const shown = await call(`${e2e.edgeUrl}/api/orders/${aliceOrderId}`, alice);
    expect(fieldOf(shown.body, 'status')).toBe('pending_payment');
  });

  it('never lists alice’s orders for bob, whatever the filter', async () => {
    const list = await call(`${e2e.edgeUrl}/api/orders`, bob);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(aliceOrderId);
    const widened = await call(`${e2e.edgeUrl}/api/orders?owner=alice`, bob);
    expect(widened.status).toBe(400);
  });
});

describe('property level (API3)', () => {
  it.each([['price'], ['total'], ['status'], ['owner']])('refuses a client-set %s', async (property) => {
    const answer = await call(`${e2e.edgeUrl}/api/orders`, alice, {
      method: 'POST',
      body: { items: [{ sku, quantity: 1 }], [property]: property === 'owner' ? 'bob' : 1 },
    });
    expect(answer.status).toBe(400);
  });

  it('refuses negative and absurd quantities', async () => {
    for (const quantity of [-1, 0, 1e9, 1.5]) {
      const answer = await call(`${e2e.edgeUrl}/api/orders`, alice, {
        method: 'POST',
        body: { items: [{ sku, quantity }] },
      });
      expect(answer.status).toBe(400);
    }
  });
});

describe('function level (API5)', () => {
  it('keeps the admin listing from users without the admin scope', async () => {
    const answer = await call(`${e2e.edgeUrl}/api/admin/orders`, alice);
    expect(answer.status).toBe(403);
  });

  it('leaves the admin scope out of the token of a user without the admin role who asks for it', async () => {
    const asked = await e2e.signIn('alice', 'openid orders admin');
    const answer = await call(`${e2e.edgeUrl}/api/admin/orders`, asked);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it('opens the admin listing to carol, whose role grants the admin scope', async () => {
    const carol = await e2e.signIn('carol', 'openid orders admin');
    const answer = await call(`${e2e.edgeUrl}/api/admin/orders`, carol);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).toContain(aliceOrderId);
  });

  it('answers a wrong method with 405 and the allowed ones', async () => {
    const answer = await call(`${e2e.edgeUrl}/api/orders/${aliceOrderId}`, alice, { method: 'DELETE' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toContain('GET');
  });
});
