// Login -> catalog -> order -> pay, end to end through the gateway on the five real services; and what
// the client gets back never carries an internal token or an internal detail.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, fieldOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

let e2e: E2eStack;
beforeAll(async () => {
  e2e = await startE2eStack();
});
afterAll(async () => {
  await e2e.close();
});

describe('order flow through the gateway', () => {
  it('signs in, orders at server prices and pays exactly once', async () => {
    const alice = await e2e.signIn('alice');
    expect(alice.split('.')).toHaveLength(1);

    const catalog = await call(`${e2e.edgeUrl}/api/catalog`, alice);
    expect(catalog.status).toBe(200);
    const [item] = catalog.body as { sku: string; price: number }[];
    if (item === undefined) throw new Error('empty catalog');

    const created = await call(`${e2e.edgeUrl}/api/orders`, alice, {
      method: 'POST',
      body: { items: [{ sku: item.sku, quantity: 3 }] },
    });
    expect(created.status).toBe(201);
    expect(fieldOf(created.body, 'total')).toBe(item.price * 3);
    const orderId = String(fieldOf(created.body, 'id'));

    const paid = await call(`${e2e.edgeUrl}/api/orders/${orderId}/pay`, alice, {
      method: 'POST',
      headers: { 'idempotency-key': 'e2e-flow-key-0001' },
    });
    expect(paid.status).toBe(200);
    expect(fieldOf(paid.body, 'status')).toBe('paid');

    const shown = await call(`${e2e.edgeUrl}/api/orders/${orderId}`, alice);
    expect(fieldOf(shown.body, 'status')).toBe('paid');

    for (const answer of [catalog, created, paid, shown]) {
      expect(answer.text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
      expect([...answer.headers.values()].join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
      expect(answer.headers.get('x-powered-by')).toBeNull();
      expect(answer.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
    }
  });

  it('serves the OpenAPI document through the gateway without a token, as an audited public route', async () => {
    const answer = await call(`${e2e.edgeUrl}/openapi.json`, undefined);
    expect(answer.status).toBe(200);
    expect(fieldOf(answer.body, 'openapi')).toMatch(/^3\.1\./);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
    expect(e2e.output.join('\n')).toMatch(
      /"reason":"public_route".*"route":"GET \/openapi\.json"|"route":"GET \/openapi\.json".*"reason":"public_route"/,
    );
  });

  it('never lets the opaque token or a JWT into the logs', async () => {
    const alice = await e2e.signIn('alice');
    await call(`${e2e.edgeUrl}/api/orders`, alice);
    const logs = e2e.output.join('\n');
    expect(logs).not.toContain(alice);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect(logs).not.toContain(e2e.password);
  });
});
