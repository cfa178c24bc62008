// What image-processor promises on the wire: its one route's contract, declared next to the route's schemas.
// @airlock/openapi reads it to describe POST /api/images.
import type { ServiceContracts } from '@airlock/service-kit/api-contract';

import { createImageContract } from './routes/images.create.js';
import { service } from './service.js';

export const imageProcessorContracts: ServiceContracts = {
  service: service.name,
  routes: [createImageContract],
};
