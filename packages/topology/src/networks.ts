// Derives the coarse boundary, one network per zone, and who can reach whom over those networks.
// Networks are symmetric, so the precise boundary (which caller, which route) is the token layer's job.
import type { Topology } from './model.js';
import { zonesJoinedBy } from './lookup.js';

export interface NetworkSpec {
  readonly zone: string;
  /** Every network but the edge has no route out of the host (Docker `internal: true`). */
  readonly internal: boolean;
  readonly members: readonly string[];
}

export function networksOf(topology: Topology): NetworkSpec[] {
  return topology.zones.map((zone) => ({
    zone: zone.name,
    internal: zone.kind !== 'edge',
    members: topology.services
      .filter((service) => zonesJoinedBy(topology, service).includes(zone))
      .map((service) => service.name),
  }));
}

/** For each service, the services it can open a connection to: those that share one of its networks. */
export function reachabilityOf(topology: Topology): Map<string, Set<string>> {
  const networks = networksOf(topology);
  return new Map(
    topology.services.map((service) => {
      const peers = new Set<string>();
      for (const network of networks) {
        if (!network.members.includes(service.name)) continue;
        for (const member of network.members) if (member !== service.name) peers.add(member);
      }
      return [service.name, peers];
    }),
  );
}
