// orders' entry in the topology, and the token policy it adds to service-kit's: the one place its name is written.
import { airlockTopology, serviceNamed } from '@airlock/topology';
import type { ServiceTokenPolicy } from '@airlock/service-kit/service-token-verifier';

export const service = serviceNamed(airlockTopology, 'orders');

/** The service orders pays through, on the user's behalf. */
export const paymentsService = serviceNamed(airlockTopology, 'payments');

/** Every token orders accepts carries a `jti`: audit lines and payment idempotency name the token. */
export const tokenPolicy: Pick<ServiceTokenPolicy, 'service' | 'requiredClaims'> = {
  service: service.name,
  requiredClaims: ['jti'],
};
