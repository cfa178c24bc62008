import { describe, expect, it } from '@jest/globals';
import { airlockTopology, storesOf } from '@airlock/topology';
import { storeUsersOf } from '../src/start-shared-state-stack.js';
import { START_ORDER } from '../src/start-local-stack.js';

describe('storeUsersOf', () => {
  it("gives a database and the Redis URL to exactly the topology's store users, in start order", () => {
    for (const engine of ['postgresql', 'redis'] as const) {
      const named = new Set(
        storesOf(airlockTopology)
          .filter((store) => store.engine === engine)
          .flatMap((store) => store.usedBy),
      );
      const users = storeUsersOf(engine);
      expect(users.length).toBeGreaterThan(0);
      expect(new Set(users)).toEqual(named);
      expect(users).toEqual(START_ORDER.filter((service) => named.has(service)));
    }
  });

  it('leaves a service that keeps nothing without any store credential', () => {
    const withAny = new Set([...storeUsersOf('postgresql'), ...storeUsersOf('redis')]);
    expect(START_ORDER.filter((service) => !withAny.has(service)).length).toBeGreaterThan(0);
  });
});
