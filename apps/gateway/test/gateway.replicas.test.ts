// Upstreams named by a host name that resolves to several replicas (Docker Swarm's dnsrr): the gateway spreads
// its requests over all of them, the services see their own name as Host, and a name without a replica is a
// generic 503. The names resolve through the test's resolver to loopback addresses only.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AddressResolver } from '@airlock/service-kit/core';
import { Agent, request } from 'undici';
import { startStubAuth, tokenFor, type StubAuth } from './support/stub-auth.js';
import { startTestGateway } from './support/start-gateway.js';
import { startStub, whoamiHandler, type StubServer } from './support/stub-server.js';

const ORDERS = 'orders.airlock.test';
const AUTH = 'auth.airlock.test';
const alice = { authorization: `Bearer ${tokenFor('alice')}` };

let auth: StubAuth;
const agent = new Agent();

beforeAll(async () => {
  auth = await startStubAuth();
});
afterAll(async () => {
  await agent.close();
  await auth.close();
});

/** Two replicas of orders on one port, on 127.0.0.1 and 127.0.0.2. */
async function twoReplicas(): Promise<[StubServer, StubServer]> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const first = await startStub(whoamiHandler);
    try {
      return [first, await startStub(whoamiHandler, first.port, '127.0.0.2')];
    } catch {
      await first.close();
    }
  }
  throw new Error('no port free on both loopback addresses');
}

function resolverFor(ordersAddresses: readonly string[]): AddressResolver {
  return (hostname) => {
    if (hostname === ORDERS) return Promise.resolve(ordersAddresses);
    if (hostname === AUTH) return Promise.resolve(['127.0.0.1']);
    return Promise.reject(new Error(`unexpected name ${hostname}`));
  };
}

describe('upstreams with several replicas behind one name', () => {
  test('requests are spread over every replica; each sees the service name as Host', async () => {
    const replicas = await twoReplicas();
    const port = replicas[0].port;
    const authPort = new URL(auth.url).port;
    const gateway = await startTestGateway({
      authUrl: `http://${AUTH}:${authPort}`,
      ordersUrl: `http://${ORDERS}:${port}`,
      resolveAddresses: resolverFor(['127.0.0.1', '127.0.0.2']),
    });
    try {
      for (let i = 0; i < 10; i += 1) {
        const res = await request(`${gateway.url}/api/orders`, { headers: alice, dispatcher: agent });
        await res.body.text();
        expect(res.statusCode).toBe(200);
      }
      expect(replicas.map((replica) => replica.received.length)).toEqual([5, 5]);
      const hosts = new Set(replicas.flatMap((replica) => replica.received.map((req) => req.headers.host)));
      expect(hosts).toEqual(new Set([`${ORDERS}:${port}`]));
      // The token exchange went through the auth pool, also by name.
      expect(auth.calls()).toBeGreaterThan(0);
    } finally {
      await gateway.close();
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  test('a name with no replica is 503 upstream_unavailable, naming nothing internal', async () => {
    const gateway = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: `http://${ORDERS}:8082`,
      resolveAddresses: resolverFor([]),
    });
    try {
      const res = await request(`${gateway.url}/api/orders`, { headers: alice, dispatcher: agent });
      const text = await res.body.text();
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'upstream_unavailable' } });
      expect(text).not.toMatch(/airlock\.test|no_address|8082/);
    } finally {
      await gateway.close();
    }
  });
});
