// What template-service promises on the wire, route by route: the contracts its route files declare next to
// their schemas. @airlock/openapi reads this list (the generator registers it there) to describe the routes the
// gateway exposes at the edge.
import type { ServiceContracts } from '@airlock/service-kit/api-contract';

import { showContract } from './routes/template-service.show.js';
import { service } from './service.js';

export const templateServiceContracts: ServiceContracts = {
  service: service.name,
  routes: [showContract],
};
