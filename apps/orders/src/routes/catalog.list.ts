// GET /catalog: the server-side catalog, the only source of prices, readable by any signed-in user.
import { z } from 'zod';
import type { Request, Response } from 'express';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { catalogItemView, catalogItemViewSchema } from '../order-view.js';
import { parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';

const query = z.strictObject({});
export const listCatalogResponse = z.array(catalogItemViewSchema);

export const listCatalogContract: RouteContract = {
  method: 'GET',
  path: '/catalog',
  summary: 'The catalog: the only source of prices.',
  query,
  responses: { 200: { description: 'Every catalog item.', schema: listCatalogResponse } },
  errors: {
    400: 'The query string has parameters (it takes none).',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
  },
};

export function listCatalogRoute(deps: RouteDeps): ProtectedRoute {
  const handler = async (req: Request, res: Response): Promise<void> => {
    parseQuery(query, req);
    res.json((await deps.repository.listCatalog()).map(catalogItemView));
  };
  return { method: 'GET', path: '/catalog', scopes: ['orders'], handlers: [handler] };
}
