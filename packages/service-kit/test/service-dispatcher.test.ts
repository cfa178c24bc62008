import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Pool, request } from 'undici';
import type { Dispatcher } from 'undici';

import {
  ReplicaPool,
  ServiceDispatcherError,
  createFetchDispatcher,
  createServiceDispatcher,
} from '../src/service-dispatcher.js';
import type { AddressResolver } from '../src/service-dispatcher.js';

// Two replicas of one fake service name, both on loopback (all of 127.0.0.0/8 is loopback on Linux): the
// resolver is the test's, so nothing here asks DNS or leaves the machine.
const NAME = 'replicas.airlock.test';
const FIRST = '127.0.0.1';
const SECOND = '127.0.0.2';
const REFRESH_MS = 100;

interface Replica {
  readonly address: string;
  readonly server: Server;
  /** The Host header of every request this replica answered. */
  readonly hosts: string[];
}

const servers: Server[] = [];
const dispatchers: Dispatcher[] = [];

afterEach(async () => {
  await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.close()));
  await Promise.all(servers.splice(0).map(stop));
});

async function stop(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

async function listen(address: string, port: number): Promise<Replica> {
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    hosts.push(req.headers.host ?? '');
    res.setHeader('content-type', 'text/plain');
    res.end(address);
  });
  servers.push(server);
  server.listen(port, address);
  await once(server, 'listening');
  return { address, server, hosts };
}

/** Both replicas on one port, as a service's replicas are: the first takes a free port, the second the same. */
async function twoReplicas(): Promise<{ port: number; first: Replica; second: Replica }> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const first = await listen(FIRST, 0);
    const { port } = first.server.address() as AddressInfo;
    try {
      const second = await listen(SECOND, port);
      return { port, first, second };
    } catch {
      await stop(first.server);
    }
  }
  throw new Error('no port free on both loopback addresses');
}

/** A resolver whose answer the test changes, counting how often it is asked. */
function switchableResolver(initial: readonly string[]): {
  resolve: AddressResolver;
  set: (addresses: readonly string[]) => void;
  calls: () => number;
} {
  let current = initial;
  let calls = 0;
  return {
    resolve: (hostname) => {
      calls += 1;
      return hostname === NAME ? Promise.resolve(current) : Promise.reject(new Error('unknown name'));
    },
    set: (addresses) => {
      current = addresses;
    },
    calls: () => calls,
  };
}

function dispatcherFor(port: number, resolve: AddressResolver): Dispatcher {
  const dispatcher = createServiceDispatcher(`http://${NAME}:${port}`, {
    resolve,
    refreshMs: REFRESH_MS,
    pool: { connections: 4, connect: { timeout: 1_000 } },
  });
  dispatchers.push(dispatcher);
  return dispatcher;
}

/** Which replica answered, or the error's code. */
async function whoAnswers(dispatcher: Dispatcher, port: number): Promise<string> {
  try {
    const response = await request(`http://${NAME}:${port}/`, { dispatcher });
    return await response.body.text();
  } catch (error) {
    return `error:${String((error as { code?: unknown }).code)}`;
  }
}

async function answers(dispatcher: Dispatcher, port: number, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i += 1) seen.push(await whoAnswers(dispatcher, port));
  return seen;
}

function addressesOf(dispatcher: Dispatcher): readonly string[] {
  if (!(dispatcher instanceof ReplicaPool)) throw new Error('not a ReplicaPool');
  return dispatcher.addresses;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createServiceDispatcher', () => {
  it('spreads requests over every address the name resolves to, with the service name as Host', async () => {
    const { port, first, second } = await twoReplicas();
    const dispatcher = dispatcherFor(port, switchableResolver([FIRST, SECOND]).resolve);

    const seen = await answers(dispatcher, port, 20);

    expect(seen.filter((who) => who === FIRST)).toHaveLength(10);
    expect(seen.filter((who) => who === SECOND)).toHaveLength(10);
    expect(new Set([...first.hosts, ...second.hosts])).toEqual(new Set([`${NAME}:${port}`]));
  });

  it('spreads concurrent requests too', async () => {
    const { port } = await twoReplicas();
    const dispatcher = dispatcherFor(port, switchableResolver([FIRST, SECOND]).resolve);

    const seen = await Promise.all(Array.from({ length: 40 }, () => whoAnswers(dispatcher, port)));

    expect(seen.filter((who) => who === FIRST)).toHaveLength(20);
    expect(seen.filter((who) => who === SECOND)).toHaveLength(20);
  });

  it('stops sending to an address the name no longer resolves to within the refresh bound', async () => {
    const { port, second } = await twoReplicas();
    const resolver = switchableResolver([FIRST, SECOND]);
    const dispatcher = dispatcherFor(port, resolver.resolve);
    await answers(dispatcher, port, 4);
    const connectionsBefore = await connectionCount(second.server);
    expect(connectionsBefore).toBeGreaterThan(0);

    resolver.set([FIRST]);
    await sleep(REFRESH_MS + 20);
    const seen = await answers(dispatcher, port, 10);

    // The first request after the interval starts the re-resolution and may still use the old set; none after it.
    expect(seen.slice(1)).toEqual(Array.from({ length: 9 }, () => FIRST));
    expect(addressesOf(dispatcher)).toEqual([FIRST]);
    // The pool of the address that left is closed: its idle connections go.
    await waitFor(async () => (await connectionCount(second.server)) === 0);
  });

  it('re-resolves before using a set that aged past three intervals (an idle service)', async () => {
    const { port } = await twoReplicas();
    const resolver = switchableResolver([FIRST, SECOND]);
    const dispatcher = dispatcherFor(port, resolver.resolve);
    await answers(dispatcher, port, 2);

    resolver.set([SECOND]);
    await sleep(REFRESH_MS * 3 + 20);

    expect(await answers(dispatcher, port, 4)).toEqual([SECOND, SECOND, SECOND, SECOND]);
  });

  it('takes in an address that joins', async () => {
    const { port } = await twoReplicas();
    const resolver = switchableResolver([FIRST]);
    const dispatcher = dispatcherFor(port, resolver.resolve);
    expect(await answers(dispatcher, port, 3)).toEqual([FIRST, FIRST, FIRST]);

    resolver.set([FIRST, SECOND]);
    await sleep(REFRESH_MS + 20);
    const seen = await answers(dispatcher, port, 11);

    expect(seen.slice(1).filter((who) => who === SECOND)).toHaveLength(5);
  });

  it('moves to the other replica when one dies: the request that found it dead fails cleanly, the next succeed', async () => {
    const { port, second } = await twoReplicas();
    const resolver = switchableResolver([FIRST, SECOND]);
    const dispatcher = dispatcherFor(port, resolver.resolve);
    await answers(dispatcher, port, 4);
    const callsBefore = resolver.calls();

    await stop(second.server);
    const seen = await answers(dispatcher, port, 10);

    // Neither undici's pools nor the callers retry (a POST is not safe to repeat), so a request that was sent
    // to the dead replica fails with the connection's own error; the address is then left out.
    const failures = seen.filter((who) => who !== FIRST);
    expect(failures.length).toBeLessThanOrEqual(1);
    expect(failures.every((who) => who === 'error:ECONNREFUSED' || who === 'error:UND_ERR_SOCKET')).toBe(
      true,
    );
    expect(seen.slice(-8)).toEqual(Array.from({ length: 8 }, () => FIRST));
    // The failed connection asked the resolver again at once, not at the next interval.
    expect(resolver.calls()).toBeGreaterThan(callsBefore);
  });

  it('asks the name again before the next request once a replica closed its connections (a stopped container)', async () => {
    const { port, second } = await twoReplicas();
    const resolver = switchableResolver([FIRST, SECOND]);
    const dispatcher = createServiceDispatcher(`http://${NAME}:${port}`, {
      resolve: resolver.resolve,
      // Far beyond the test: only the closed connections can make it ask again.
      refreshMs: 60_000,
      pool: { connections: 4, connect: { timeout: 1_000 } },
    });
    dispatchers.push(dispatcher);
    expect(new Set(await answers(dispatcher, port, 4))).toEqual(new Set([FIRST, SECOND]));

    // The replica stops (its connections close) and leaves the name, as a stopped container leaves Docker's DNS.
    resolver.set([FIRST]);
    await stop(second.server);
    await sleep(100);
    expect(await answers(dispatcher, port, 6)).toEqual(Array.from({ length: 6 }, () => FIRST));
    expect(addressesOf(dispatcher)).toEqual([FIRST]);
  });

  it('fails closed when the name resolves to no address', async () => {
    const { port } = await twoReplicas();
    const dispatcher = dispatcherFor(port, switchableResolver([]).resolve);

    await expect(request(`http://${NAME}:${port}/`, { dispatcher })).rejects.toMatchObject({
      code: 'no_address',
    });
  });

  it('fails closed when the resolver fails, and ignores answers that are not addresses', async () => {
    const { port } = await twoReplicas();
    const failing = dispatcherFor(port, () => Promise.reject(new Error('SERVFAIL')));
    const garbage = dispatcherFor(port, switchableResolver(['example.com', '']).resolve);

    const error: unknown = await request(`http://${NAME}:${port}/`, { dispatcher: failing }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ServiceDispatcherError);
    expect(error).toMatchObject({ code: 'resolve_failed' });
    await expect(request(`http://${NAME}:${port}/`, { dispatcher: garbage })).rejects.toMatchObject({
      code: 'no_address',
    });
  });

  it('drops every address when a re-resolution fails, instead of trusting the old set', async () => {
    const { port } = await twoReplicas();
    let failing = false;
    const dispatcher = dispatcherFor(port, () =>
      failing ? Promise.reject(new Error('SERVFAIL')) : Promise.resolve([FIRST, SECOND]),
    );
    await answers(dispatcher, port, 2);

    failing = true;
    await sleep(REFRESH_MS + 20);
    await answers(dispatcher, port, 1);
    await sleep(10);

    expect(addressesOf(dispatcher)).toEqual([]);
    expect(await whoAnswers(dispatcher, port)).toBe('error:resolve_failed');
  });

  it('keeps a plain Pool for an IP literal and for localhost', async () => {
    const { port } = await twoReplicas();
    let asked = 0;
    const resolve: AddressResolver = () => {
      asked += 1;
      return Promise.resolve([SECOND]);
    };
    const literal = createServiceDispatcher(`http://${FIRST}:${port}`, { resolve });
    const local = createServiceDispatcher(`http://localhost:${port}`, { resolve });
    const v6 = createServiceDispatcher(`http://[::1]:${port}`, { resolve });
    dispatchers.push(literal, local, v6);

    expect(literal).toBeInstanceOf(Pool);
    expect(local).toBeInstanceOf(Pool);
    expect(v6).toBeInstanceOf(Pool);
    expect(await whoAnswers(literal, port)).toBe(FIRST);
    expect(asked).toBe(0);
  });

  it('checks its options', () => {
    expect(() => createServiceDispatcher('http://orders:8082', { refreshMs: 0 })).toThrow(/refreshMs/);
    expect(() => createServiceDispatcher('http://orders:8082', { quarantineMs: 1.5 })).toThrow(
      /quarantineMs/,
    );
  });

  it('refuses requests after close', async () => {
    const { port } = await twoReplicas();
    const dispatcher = dispatcherFor(port, switchableResolver([FIRST]).resolve);
    await dispatcher.close();

    await expect(request(`http://${NAME}:${port}/`, { dispatcher })).rejects.toMatchObject({
      code: 'UND_ERR_CLOSED',
    });
  });
});

function connectionCount(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.getConnections((error, count) => {
      if (error === null) resolve(count);
      else reject(error);
    });
  });
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await sleep(20);
  }
}

describe('createFetchDispatcher', () => {
  it("spreads Node's built-in fetch over the replicas too", async () => {
    const { port, first, second } = await twoReplicas();
    const dispatcher = createFetchDispatcher(`http://${NAME}:${port}`, {
      resolve: switchableResolver([FIRST, SECOND]).resolve,
    });

    const seen: string[] = [];
    try {
      for (let i = 0; i < 6; i += 1) {
        seen.push(await (await fetch(`http://${NAME}:${port}/`, { dispatcher })).text());
      }
    } finally {
      await dispatcher.close();
    }

    expect(seen.filter((who) => who === FIRST)).toHaveLength(3);
    expect(seen.filter((who) => who === SECOND)).toHaveLength(3);
    expect(new Set([...first.hosts, ...second.hosts])).toEqual(new Set([`${NAME}:${port}`]));
  });
});
