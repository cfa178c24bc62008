// GET /template-service: the example route. It answers who is asking, read from the verified token only; replace
// it with the service's own routes (each declared in the topology, or the app refuses to start).
import { z } from 'zod';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';
import { authOf } from '@airlock/service-kit/protected-routes';

import { service } from '../service.js';

export const showResponse = z.strictObject({
  service: z.string(),
  /** The user the token was issued for (`sub`), never a value the client sends. */
  subject: z.string(),
});
export type ShowResponse = z.infer<typeof showResponse>;

/** What the route promises on the wire: @airlock/openapi describes it from this (src/api-contract.ts). */
export const showContract: RouteContract = {
  method: 'GET',
  path: `/${service.name}`,
  summary: 'Who is asking, as the verified token says.',
  responses: { 200: { description: 'The service and the token’s subject.', schema: showResponse } },
  errors: {
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
  },
};

export function createShowRoute(): ProtectedRoute {
  return {
    method: showContract.method,
    path: showContract.path,
    scopes: [],
    handlers: [
      (req, res) => {
        const body: ShowResponse = { service: service.name, subject: authOf(req).sub };
        res.json(body);
      },
    ],
  };
}
