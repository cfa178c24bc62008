// GET /admin/orders: every user's orders, for admins (scope `admin`, OWASP API5), with owner and charge.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { adminOrderView, adminOrderViewSchema } from '../order-view.js';
import { parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';
import { DEFAULT_LIST_LIMIT, listQuery } from './orders.list.js';

export const listAdminOrdersResponse = z.array(adminOrderViewSchema);

export const listAdminOrdersContract: RouteContract = {
  method: 'GET',
  path: '/admin/orders',
  summary: 'Every user’s orders, with owner and charge (scope `admin`).',
  query: listQuery,
  responses: { 200: { description: 'All orders.', schema: listAdminOrdersResponse } },
  errors: {
    400: 'An unknown or invalid query parameter.',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
  },
};

export function listAdminOrdersRoute(deps: RouteDeps): ProtectedRoute {
  const handler = async (req: Request, res: Response): Promise<void> => {
    const query = parseQuery(listQuery, req);
    const orders = await deps.repository.listAllOrders({
      limit: query.limit ?? DEFAULT_LIST_LIMIT,
      ...(query.status === undefined ? {} : { status: query.status }),
    });
    res.json(orders.map(adminOrderView));
  };
  return { method: 'GET', path: '/admin/orders', scopes: ['orders', 'admin'], handlers: [handler] };
}
