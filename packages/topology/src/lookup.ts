// Small lookups over a validated topology, shared by the derivations.
import type { ServiceSpec, Topology, ZoneSpec } from './model.js';
import { TopologyError } from './topology-error.js';

export function serviceNamed(topology: Topology, name: string): ServiceSpec {
  const service = topology.services.find((candidate) => candidate.name === name);
  if (service === undefined) throw new TopologyError('unknown_service', `unknown service "${name}"`);
  return service;
}

/**
 * The edge's entry among its members: the one that also lives in other zones (it bridges inward), or the edge's
 * only member. Undefined when that is ambiguous (defineTopology refuses such a topology).
 */
export function edgeEntryAmong(edgeMembers: readonly ServiceSpec[]): ServiceSpec | undefined {
  if (edgeMembers.length === 1) return edgeMembers[0];
  const bridging = edgeMembers.filter((service) => service.zones.length > 1);
  return bridging.length === 1 ? bridging[0] : undefined;
}

function edgeMembersOf(topology: Topology): ServiceSpec[] {
  const edge = topology.zones.find((zone) => zone.kind === 'edge');
  return topology.services.filter((candidate) => edge !== undefined && candidate.zones.includes(edge.name));
}

/** The edge's entry: the gateway, the one service clients reach (validated by defineTopology). */
export function edgeService(topology: Topology): ServiceSpec {
  const service = edgeEntryAmong(edgeMembersOf(topology));
  if (service === undefined) throw new TopologyError('edge_zone_invalid', 'topology has no edge service');
  return service;
}

/**
 * The edge's front ends: its other members, which live in the edge alone, are reached by clients only through
 * the entry and call only the entry (a backend-for-frontend signing users in as a confidential OAuth client).
 */
export function edgeFrontEndsOf(topology: Topology): ServiceSpec[] {
  const entry = edgeService(topology);
  return edgeMembersOf(topology).filter((service) => service !== entry);
}

/** Zones whose network a service joins: its own zones and those that admit it. */
export function zonesJoinedBy(topology: Topology, service: ServiceSpec): ZoneSpec[] {
  return topology.zones.filter(
    (zone) => service.zones.includes(zone.name) || (zone.admits ?? []).includes(service.name),
  );
}
