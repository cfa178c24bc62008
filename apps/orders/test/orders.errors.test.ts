// Catalog and orders, the error cases: what orders refuses and how (validation, unknown SKUs, bad bodies).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { errorCode } from '@airlock/testing/http';

import { createOrdersHarness } from './support/harness.js';
import type { OrdersHarness } from './support/harness.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let harness: OrdersHarness;
  let alice: string;

  beforeEach(async () => {
    harness = await createOrdersHarness({ database: await databases.next() });
    alice = await harness.userToken('alice');
  });
  afterEach(async () => {
    await harness.close();
  });

  function createOrder(body: unknown, token = alice): request.Test {
    return request(harness.app)
      .post('/orders')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  }

  describe('POST /orders: errors', () => {
    it.each([
      ['no items', { items: [] }],
      ['zero quantity', { items: [{ sku: 'mug-enamel', quantity: 0 }] }],
      ['negative quantity', { items: [{ sku: 'mug-enamel', quantity: -3 }] }],
      ['absurd quantity', { items: [{ sku: 'mug-enamel', quantity: 101 }] }],
      ['fractional quantity', { items: [{ sku: 'mug-enamel', quantity: 1.5 }] }],
      ['quantity as a string', { items: [{ sku: 'mug-enamel', quantity: '2' }] }],
      ['sku with odd characters', { items: [{ sku: "mug' OR 1=1", quantity: 1 }] }],
      ['items not an array', { items: 'mug-enamel' }],
      [
        'more than 50 items',
        { items: Array.from({ length: 51 }, (_, index) => ({ sku: `sku-${index}`, quantity: 1 })) },
      ],
    ])('refuses %s with 400 invalid_request', async (_name, body) => {
      const response = await createOrder(body);
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('invalid_request');
    });

    it('refuses an unknown SKU with 400 unknown_sku', async () => {
      const response = await createOrder({ items: [{ sku: 'gold-bar', quantity: 1 }] });
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('unknown_sku');
    });

    it('refuses the same SKU twice with 400 duplicate_sku', async () => {
      const response = await createOrder({
        items: [
          { sku: 'mug-enamel', quantity: 1 },
          { sku: 'mug-enamel', quantity: 1 },
        ],
      });
      expect(errorCode(response)).toBe('duplicate_sku');
    });

    it('refuses a body that is not JSON with 415, and a missing body with 400', async () => {
      const text = await request(harness.app)
        .post('/orders')
        .set('Authorization', `Bearer ${alice}`)
        .set('Content-Type', 'text/plain')
        .send('items');
      expect(text.status).toBe(415);
      const empty = await request(harness.app).post('/orders').set('Authorization', `Bearer ${alice}`);
      expect(empty.status).toBe(400);
      expect(errorCode(empty)).toBe('invalid_request');
    });

    it('refuses a prototype-polluting body', async () => {
      const response = await request(harness.app)
        .post('/orders')
        .set('Authorization', `Bearer ${alice}`)
        .set('Content-Type', 'application/json')
        .send('{"items":[{"sku":"mug-enamel","quantity":1}],"__proto__":{"admin":true}}');
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('forbidden_json_key');
    });
  });
});
