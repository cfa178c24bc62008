// Small lookups over a validated topology, shared by the derivations.
import type { ServiceSpec, Topology, ZoneSpec } from './model.js';
import { TopologyError } from './topology-error.js';

export function serviceNamed(topology: Topology, name: string): ServiceSpec {
  const service = topology.services.find((candidate) => candidate.name === name);
  if (service === undefined) throw new TopologyError('unknown_service', `unknown service "${name}"`);
  return service;
}

/** The one service in the edge zone (validated by defineTopology). */
export function edgeService(topology: Topology): ServiceSpec {
  const edge = topology.zones.find((zone) => zone.kind === 'edge');
  const service = topology.services.find(
    (candidate) => edge !== undefined && candidate.zones.includes(edge.name),
  );
  if (service === undefined) throw new TopologyError('edge_zone_invalid', 'topology has no edge service');
  return service;
}

/** Zones whose network a service joins: its own zones and those that admit it. */
export function zonesJoinedBy(topology: Topology, service: ServiceSpec): ZoneSpec[] {
  return topology.zones.filter(
    (zone) => service.zones.includes(zone.name) || (zone.admits ?? []).includes(service.name),
  );
}
