// Stores: each per-service store is an instance alone with its one user on a data network of its own; a shared
// store is one instance on one network with all its users. Bad declarations fail at definition time.
import { describe, expect, it } from '@jest/globals';
import { defineTopology } from '../src/define-topology.js';
import type { StoreSpec, TopologySpec } from '../src/model.js';
import { reachabilityOf } from '../src/networks.js';
import { storeInstancesOf, storeReachabilityOf } from '../src/stores.js';
import { TopologyError } from '../src/topology-error.js';
import { validSpec } from './spec-fixture.js';

const database: StoreSpec = {
  name: 'db',
  engine: 'postgresql',
  port: 5432,
  sharing: 'per-service',
  usedBy: ['api', 'safe'],
  purpose: 'records',
  holds: 'records',
};
const cache: StoreSpec = {
  ...database,
  name: 'cache',
  engine: 'redis',
  sharing: 'shared',
  usedBy: ['gw', 'risky'],
};

const withStores = (...stores: StoreSpec[]): TopologySpec => ({ ...validSpec(), stores });

function codeOf(spec: TopologySpec): string | undefined {
  try {
    defineTopology(spec);
    return undefined;
  } catch (error) {
    return error instanceof TopologyError ? error.code : 'not a TopologyError';
  }
}

describe('stores', () => {
  it('gives each user of a per-service store an instance and a data network of its own', () => {
    expect(storeInstancesOf(defineTopology(withStores(database)))).toEqual([
      {
        name: 'db-api',
        store: 'db',
        engine: 'postgresql',
        port: 5432,
        users: ['api'],
        network: 'data-db-api',
      },
      {
        name: 'db-safe',
        store: 'db',
        engine: 'postgresql',
        port: 5432,
        users: ['safe'],
        network: 'data-db-safe',
      },
    ]);
  });

  it('lets a service reach only the instances on its data networks', () => {
    const topology = defineTopology(withStores(database, cache));
    const reach = storeReachabilityOf(topology);
    expect([...(reach.get('api') ?? [])]).toEqual(['db-api']);
    expect([...(reach.get('safe') ?? [])]).toEqual(['db-safe']);
    expect([...(reach.get('gw') ?? [])]).toEqual(['cache']);
    // A shared store's users reach each other on its network: reachabilityOf says so.
    const sharedByTwo = defineTopology(withStores({ ...cache, usedBy: ['api', 'risky'] }));
    expect(reachabilityOf(sharedByTwo).get('risky')?.has('api')).toBe(true);
    // A per-service store joins no two services: reachability is what it is without it.
    expect(reachabilityOf(defineTopology(withStores(database)))).toEqual(
      reachabilityOf(defineTopology(validSpec())),
    );
  });

  it('refuses unknown users, repeated users, unknown engines, bad ports and clashing names', () => {
    expect(codeOf(withStores({ ...database, usedBy: ['nobody'] }))).toBe('store_invalid');
    expect(codeOf(withStores({ ...database, usedBy: ['api', 'api'] }))).toBe('store_invalid');
    expect(codeOf(withStores({ ...database, usedBy: [] }))).toBe('store_invalid');
    expect(codeOf(withStores({ ...database, engine: 'mysql' as StoreSpec['engine'] }))).toBe('store_invalid');
    expect(codeOf(withStores({ ...database, port: 0 }))).toBe('store_invalid');
    expect(codeOf(withStores(database, database))).toBe('store_invalid');
    expect(codeOf(withStores({ ...cache, name: 'gw' }))).toBe('store_invalid');
    expect(codeOf(withStores({ ...cache, name: 'Bad Name' }))).toBe('invalid_name');
    expect(codeOf(withStores(database, cache))).toBeUndefined();
  });
});
