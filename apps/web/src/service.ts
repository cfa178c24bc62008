// web's entry in the topology, and the token policy it adds to service-kit's: the one place its name
// is written.
import { serviceNamed } from '@airlock/topology';
import type { ServiceTokenPolicy } from '@airlock/service-kit/service-token-verifier';

import { topology } from './topology.js';

export { topology };

export const service = serviceNamed(topology, 'web');

/** Every token carries a `jti`, so that each audit line names the token behind the decision. */
export const tokenPolicy = {
  service: service.name,
  requiredClaims: ['jti'],
} as const satisfies Pick<ServiceTokenPolicy, 'service' | 'requiredClaims'>;
