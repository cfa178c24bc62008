// POST /orders: creates an order for the signed-in user from SKUs and quantities. Prices, total, status and
// owner come from the server (the catalog and the token), never from the body (OWASP API3).
import { z } from 'zod';
import type { Request, Response } from 'express';
import { badRequest, jsonBody, parseBody } from '@airlock/service-kit';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import type { OrderItem } from '../db/orders-repository.js';
import { orderView, orderViewSchema } from '../order-view.js';
import type { RouteDeps } from '../route-deps.js';

export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 100;

export const createOrderBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        sku: z.string().regex(/^[a-z0-9-]{1,64}$/),
        quantity: z.number().int().min(1).max(MAX_QUANTITY),
      }),
    )
    .min(1)
    .max(MAX_ITEMS),
});

export const createOrderContract: RouteContract = {
  method: 'POST',
  path: '/orders',
  summary: 'Creates an order from SKUs and quantities, at catalog prices.',
  body: { contentTypes: ['application/json'], schema: createOrderBody, required: true },
  responses: { 201: { description: 'The new order, pending payment.', schema: orderViewSchema } },
  errors: {
    400: 'The body is invalid, names an unknown or repeated SKU, or mixes currencies.',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
    413: 'The body is larger than 16 KiB.',
    415: 'The body is not JSON.',
  },
};

export function createOrderRoute(deps: RouteDeps): ProtectedRoute {
  const handler = async (req: Request, res: Response): Promise<void> => {
    const auth = authOf(req);
    const body = parseBody(createOrderBody, req.body);
    const skus = new Set(body.items.map((item) => item.sku));
    if (skus.size !== body.items.length) {
      throw badRequest('duplicate_sku', 'Each SKU may appear once; set its quantity instead.');
    }
    const items: OrderItem[] = [];
    const currencies = new Set<string>();
    for (const line of body.items) {
      const product = await deps.repository.findCatalogItem(line.sku);
      if (product === undefined) throw badRequest('unknown_sku', 'An item is not in the catalog.');
      currencies.add(product.currency);
      items.push({ sku: product.sku, name: product.name, unitPrice: product.price, quantity: line.quantity });
    }
    const [currency] = currencies;
    if (currency === undefined || currencies.size !== 1) {
      throw badRequest('mixed_currency', 'All items of an order must be priced in one currency.');
    }
    const order = await deps.repository.createOrder({ ownerSub: auth.sub, currency, items }, deps.now());
    res.status(201).json(orderView(order));
  };
  return {
    method: 'POST',
    path: '/orders',
    scopes: ['orders'],
    handlers: [jsonBody({ limitBytes: 16 * 1024 }), handler],
  };
}
