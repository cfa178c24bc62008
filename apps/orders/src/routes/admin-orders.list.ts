// GET /admin/orders: every user's orders, for admins (scope `admin`, OWASP API5), with owner and charge.
import type { Request, Response } from 'express';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { adminOrderView } from '../order-view.js';
import { parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';
import { DEFAULT_LIST_LIMIT, listQuery } from './orders.list.js';

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
