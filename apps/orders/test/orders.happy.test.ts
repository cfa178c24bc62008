// Catalog and orders, the happy paths: what a user orders, sees and filters; on both database engines.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';
import { errorCode, field } from '@airlock/testing/http';

import { createOrdersHarness } from './support/harness.js';
import type { OrdersHarness } from './support/harness.js';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  let harness: OrdersHarness;
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    harness = await createOrdersHarness({ database: await databases.next() });
    alice = await harness.userToken('alice');
    bob = await harness.userToken('bob');
  });
  afterEach(async () => {
    await harness.close();
  });

  const ORDER_FIELDS = [
    'createdAt',
    'currency',
    'id',
    'items',
    'paidAt',
    'refundedAmount',
    'status',
    'total',
  ];

  function createOrder(body: unknown, token = alice): request.Test {
    return request(harness.app)
      .post('/orders')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  }

  function get(path: string, token = alice): request.Test {
    return request(harness.app).get(path).set('Authorization', `Bearer ${token}`);
  }

  describe('GET /catalog', () => {
    it('lists the seeded catalog with prices in integer minor units', async () => {
      const response = await get('/catalog');
      expect(response.status).toBe(200);
      expect(response.body).toContainEqual({
        sku: 'mug-enamel',
        name: 'Enamel mug',
        price: 1450,
        currency: 'EUR',
      });
      const items = response.body as { price: unknown }[];
      expect(items.length).toBeGreaterThanOrEqual(3);
      expect(items.every((item) => Number.isInteger(item.price))).toBe(true);
    });

    it('refuses query parameters', async () => {
      const response = await get('/catalog?sku=x');
      expect(response.status).toBe(400);
      expect(errorCode(response)).toBe('unknown_query_parameter');
    });
  });

  describe('POST /orders: happy path', () => {
    it('creates an order priced from the catalog, owned by the caller and pending payment', async () => {
      const response = await createOrder({
        items: [
          { sku: 'mug-enamel', quantity: 2 },
          { sku: 'tea-sencha', quantity: 1 },
        ],
      });
      expect(response.status).toBe(201);
      expect(Object.keys(response.body as object).sort()).toEqual(ORDER_FIELDS);
      expect(response.body).toMatchObject({
        status: 'pending_payment',
        total: 2 * 1450 + 899,
        currency: 'EUR',
        refundedAmount: 0,
        paidAt: null,
        items: [
          { sku: 'mug-enamel', name: 'Enamel mug', unitPrice: 1450, quantity: 2, lineTotal: 2900 },
          { sku: 'tea-sencha', name: 'Sencha green tea, 100 g', unitPrice: 899, quantity: 1, lineTotal: 899 },
        ],
      });
      expect(field(response, 'id')).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const row = await harness.db.get('SELECT owner_sub FROM orders');
      expect(row?.['owner_sub']).toBe('alice');
    });
  });

  describe('GET /orders and GET /orders/:id', () => {
    it('lists only the caller’s own orders, newest first, with only the intended fields', async () => {
      const first = await createOrder({ items: [{ sku: 'mug-enamel', quantity: 1 }] });
      await createOrder({ items: [{ sku: 'tea-sencha', quantity: 1 }] }, bob);
      const response = await get('/orders');
      expect(response.status).toBe(200);
      const orders = response.body as Record<string, unknown>[];
      expect(orders.map((order) => order['id'])).toEqual([field(first, 'id')]);
      expect(Object.keys(orders[0] ?? {}).sort()).toEqual(ORDER_FIELDS);
    });

    it.each(['owner=bob', 'userId=bob', 'owner_sub=bob', 'sub=bob', 'status=paid&owner=bob'])(
      'refuses a filter that could widen the list (?%s) with 400 unknown_query_parameter',
      async (query) => {
        await createOrder({ items: [{ sku: 'tea-sencha', quantity: 1 }] }, bob);
        const response = await get(`/orders?${query}`);
        expect(response.status).toBe(400);
        expect(errorCode(response)).toBe('unknown_query_parameter');
      },
    );

    it('filters by status and limit within the caller’s orders', async () => {
      await createOrder({ items: [{ sku: 'mug-enamel', quantity: 1 }] });
      await createOrder({ items: [{ sku: 'tea-sencha', quantity: 1 }] });
      expect((await get('/orders?status=pending_payment&limit=1')).body).toHaveLength(1);
      expect((await get('/orders?status=paid')).body).toEqual([]);
      expect(errorCode(await get('/orders?status=lost'))).toBe('invalid_query');
      expect(errorCode(await get('/orders?limit=1000'))).toBe('invalid_query');
    });

    it('shows one of the caller’s orders', async () => {
      const created = await createOrder({ items: [{ sku: 'mug-enamel', quantity: 3 }] });
      const response = await get(`/orders/${String(field(created, 'id'))}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(created.body);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      for (const id of ['0b7a3c1e-1111-4222-8333-944455566677', 'not-a-uuid', '..%2F..%2Fadmin']) {
        const response = await get(`/orders/${id}`);
        expect(response.status).toBe(404);
        expect(errorCode(response)).toBe('not_found');
      }
    });
  });
});
