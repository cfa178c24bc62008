// Derives the coarse boundary, the networks, and who can reach whom over them. Each zone has a network of
// its members; each admission into a zone gets a network of its own (the zone's members plus the admitted
// service), so two services admitted into the same enclave cannot reach each other through it. The edge's
// network holds its entry alone (it is the published one); each front end beside the entry gets an internal
// network with the entry and nothing else, so it has no egress and no peer but the gateway.
// Networks are symmetric, so the precise boundary (which caller, which route) is the token layer's job.
import { edgeFrontEndsOf, edgeService } from './lookup.js';
import type { Topology } from './model.js';
import { storeInstancesOf } from './stores.js';

export interface NetworkSpec {
  /** The zone's name for its own network; `<zone>-<service>` for an admission. */
  readonly name: string;
  readonly zone: string;
  /** The admitted service (or edge front end) this network exists for; absent on the zone's own network. */
  readonly admitted?: string;
  /** Every network but the edge has no route out of the host (Docker `internal: true`). */
  readonly internal: boolean;
  readonly members: readonly string[];
}

export function admissionNetworkName(zone: string, service: string): string {
  return `${zone}-${service}`;
}

export function networksOf(topology: Topology): NetworkSpec[] {
  return topology.zones.flatMap((zone): NetworkSpec[] => {
    if (zone.kind === 'edge') {
      const entry = edgeService(topology).name;
      return [
        { name: zone.name, zone: zone.name, internal: false, members: [entry] },
        ...edgeFrontEndsOf(topology).map((frontEnd) => ({
          name: admissionNetworkName(zone.name, frontEnd.name),
          zone: zone.name,
          admitted: frontEnd.name,
          internal: true,
          members: [entry, frontEnd.name],
        })),
      ];
    }
    const members = topology.services
      .filter((service) => service.zones.includes(zone.name))
      .map((s) => s.name);
    const internal = true;
    return [
      { name: zone.name, zone: zone.name, internal, members },
      ...(zone.admits ?? []).map((admitted) => ({
        name: admissionNetworkName(zone.name, admitted),
        zone: zone.name,
        admitted,
        internal,
        members: [...members, admitted],
      })),
    ];
  });
}

/**
 * For each service, the services it can open a connection to: those that share one of its networks, a shared
 * store's data network included (its users reach each other there too).
 */
export function reachabilityOf(topology: Topology): Map<string, Set<string>> {
  const networks = [
    ...networksOf(topology),
    ...storeInstancesOf(topology).map((instance) => ({ members: instance.users })),
  ];
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
