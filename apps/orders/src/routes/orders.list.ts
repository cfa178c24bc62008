// GET /orders: the signed-in user's own orders. The owner comes from the token; the only filters are
// `status` and `limit`, and any other parameter (`owner`, `userId`...) is refused (OWASP API1).
import { z } from 'zod';
import type { Request, Response } from 'express';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { ORDER_STATUSES } from '../db/orders-repository.js';
import { orderView, orderViewSchema } from '../order-view.js';
import { limitSchema, parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';

export const DEFAULT_LIST_LIMIT = 50;

export const listQuery = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  limit: limitSchema.optional(),
});
export const listOrdersResponse = z.array(orderViewSchema);

export const listOrdersContract: RouteContract = {
  method: 'GET',
  path: '/orders',
  summary: 'The signed-in user’s own orders, newest first.',
  query: listQuery,
  responses: { 200: { description: 'The user’s orders.', schema: listOrdersResponse } },
  errors: {
    400: 'An unknown or invalid query parameter (`unknown_query_parameter`, `invalid_query`).',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
  },
};

export function listOrdersRoute(deps: RouteDeps): ProtectedRoute {
  const handler = async (req: Request, res: Response): Promise<void> => {
    const auth = authOf(req);
    const query = parseQuery(listQuery, req);
    const orders = await deps.repository.listOrdersOwnedBy(auth.sub, {
      limit: query.limit ?? DEFAULT_LIST_LIMIT,
      ...(query.status === undefined ? {} : { status: query.status }),
    });
    res.json(orders.map(orderView));
  };
  return { method: 'GET', path: '/orders', scopes: ['orders'], handlers: [handler] };
}
