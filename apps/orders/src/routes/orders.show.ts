// GET /orders/:id: one of the signed-in user's orders; another user's order is the same 404 as none.
import { z } from 'zod';
import type { Request, Response } from 'express';
import { notFound } from '@airlock/service-kit';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { orderView } from '../order-view.js';
import { orderIdOf, parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';
import { auditNotOwner } from '../route-deps.js';

const ROUTE = 'GET /orders/:id';

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
