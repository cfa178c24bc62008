// image-processor's entry in the topology, and the token policy it adds to service-kit's: the one place its name
// is written. The sandbox asks for nothing beyond the shared policy.
import { airlockTopology, serviceNamed } from '@airlock/topology';
import type { ServiceTokenPolicy } from '@airlock/service-kit/service-token-verifier';

export const service = serviceNamed(airlockTopology, 'image-processor');

export const tokenPolicy: Pick<ServiceTokenPolicy, 'service' | 'requiredClaims'> = {
  service: service.name,
  requiredClaims: [],
};
