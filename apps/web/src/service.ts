// web's entry in the topology: the one place its name is written, and the edge it sits beside.
import { airlockTopology, edgeService, serviceNamed } from '@airlock/topology';

export const topology = airlockTopology;

export const service = serviceNamed(topology, 'web');

/** The gateway: web's only way in (it routes `/` here) and its only callee (the API and auth, at the edge). */
export const edge = edgeService(topology);
