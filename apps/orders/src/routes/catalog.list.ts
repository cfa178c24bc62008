// GET /catalog: the server-side catalog, the only source of prices, readable by any signed-in user.
import { z } from 'zod';
import type { Request, Response } from 'express';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { catalogItemView } from '../order-view.js';
import { parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';

const query = z.strictObject({});

export function listCatalogRoute(deps: RouteDeps): ProtectedRoute {
  const handler = async (req: Request, res: Response): Promise<void> => {
    parseQuery(query, req);
    res.json((await deps.repository.listCatalog()).map(catalogItemView));
  };
  return { method: 'GET', path: '/catalog', scopes: ['orders'], handlers: [handler] };
}
