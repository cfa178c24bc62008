// Derives the data stores' instances and their networks from the topology. A store shared by several services
// (Redis) is one instance on one network with its users; a per-service store (PostgreSQL) is one instance per
// user, alone with it on a network of its own, so a service can open no connection to another's database.
// Zone networks (networksOf) stay as they are: a data network joins a store and its users and nothing else.
import type { StoreEngine, StoreSpec, Topology } from './model.js';

export const DATA_NETWORK_PREFIX = 'data-';

export interface StoreInstance {
  /** Its container's name and host name: the store's name, or `<store>-<service>` for a per-service store. */
  readonly name: string;
  readonly store: string;
  readonly engine: StoreEngine;
  readonly port: number;
  /** The services that connect to it, each with a credential of its own. */
  readonly users: readonly string[];
  /** `data-<instance>`: the instance and its users, internal. */
  readonly network: string;
}

export function storesOf(topology: Topology): readonly StoreSpec[] {
  return topology.stores ?? [];
}

export function storeInstancesOf(topology: Topology): StoreInstance[] {
  return storesOf(topology).flatMap((store) => {
    const groups = store.sharing === 'shared' ? [store.usedBy] : store.usedBy.map((user) => [user]);
    return groups.map((users) => {
      const name = store.sharing === 'shared' ? store.name : `${store.name}-${users.join('-')}`;
      return {
        name,
        store: store.name,
        engine: store.engine,
        port: store.port,
        users,
        network: `${DATA_NETWORK_PREFIX}${name}`,
      };
    });
  });
}

/** For each service, the store instances it can open a connection to (those on its data networks). */
export function storeReachabilityOf(topology: Topology): Map<string, Set<string>> {
  const instances = storeInstancesOf(topology);
  return new Map(
    topology.services.map((service) => [
      service.name,
      new Set(instances.filter((instance) => instance.users.includes(service.name)).map((i) => i.name)),
    ]),
  );
}
