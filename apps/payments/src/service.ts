// payments' entry in the topology, and the token policy it adds to service-kit's: the one place its name is written.
import { airlockTopology, serviceNamed } from '@airlock/topology';
import type { ServiceTokenPolicy } from '@airlock/service-kit/service-token-verifier';

export const service = serviceNamed(airlockTopology, 'payments');

/** Every token payments accepts carries a `jti`: its audit lines name the token that moved money. */
export const tokenPolicy: Pick<ServiceTokenPolicy, 'service' | 'requiredClaims'> = {
  service: service.name,
  requiredClaims: ['jti'],
};
