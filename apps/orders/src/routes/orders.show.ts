// GET /orders/:id: one of the signed-in user's orders; another user's order is the same 404 as none.
import { z } from 'zod';
import type { Request, Response } from 'express';
import { notFound } from '@airlock/service-kit';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { orderView, orderViewSchema } from '../order-view.js';
import { orderIdOf, parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';
import { auditNotOwner } from '../route-deps.js';

const ROUTE = 'GET /orders/:id';

export const showOrderContract: RouteContract = {
  method: 'GET',
  path: '/orders/:id',
  summary: 'One of the signed-in user’s orders.',
  query: z.strictObject({}),
  responses: { 200: { description: 'The order.', schema: orderViewSchema } },
  errors: {
    400: 'The query string has parameters (it takes none).',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
    404: 'No such order of this user (another user’s order is the same 404).',
  },
};

export function showOrderRoute(deps: RouteDeps): ProtectedRoute {
  const handler = async (req: Request, res: Response): Promise<void> => {
    const auth = authOf(req);
    parseQuery(z.strictObject({}), req);
    const id = orderIdOf(req);
    const order = await deps.repository.findOrderOwnedBy(id, auth.sub);
    if (order === undefined) {
      await auditNotOwner(deps, req, ROUTE, id);
      throw notFound();
    }
    res.json(orderView(order));
  };
  return { method: 'GET', path: '/orders/:id', scopes: ['orders'], handlers: [handler] };
}
