// GET /web: the example route. It answers who is asking, read from the verified token only; replace
// it with the service's own routes (each declared in the topology, or the app refuses to start).
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';
import { authOf } from '@airlock/service-kit/protected-routes';

import { service } from '../service.js';

export interface ShowResponse {
  readonly service: string;
  /** The user the token was issued for (`sub`), never a value the client sends. */
  readonly subject: string;
}

export function createShowRoute(): ProtectedRoute {
  return {
    method: 'GET',
    path: `/${service.name}`,
    scopes: [],
    handlers: [
      (req, res) => {
        const body: ShowResponse = { service: service.name, subject: authOf(req).sub };
        res.json(body);
      },
    ],
  };
}
