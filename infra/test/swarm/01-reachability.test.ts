// Swarm proof 1: the trust zones hold on overlay networks. From inside every task of every service (each replica,
// not one per service), a TCP connect to every other task's and every store's address on each overlay network it
// has: the observed relation must be the topology's (reachabilityOf, storeReachabilityOf) for every replica alike,
// nothing opens where no network is shared, and the host is not reachable through docker_gwbridge. Each
// PostgreSQL server refuses every credential but its own service's. Same probes as the container suite's proof 1.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology, reachabilityOf, storeInstancesOf, storeReachabilityOf } from '@airlock/topology';
import { replicasOf, SCALED_OUT_REPLICAS } from '../../src/render-swarm-stack.js';
import { STORE_ENGINES, stackOf } from '../../src/stack.js';
import {
  POSTGRES_SIGN_IN,
  READ_URL_FILE,
  TCP_PROBE_ON_LINK,
} from '../containers/support/in-container-scripts.js';
import { nodeIn } from '../containers/support/stack-state.js';
import { frontDoorPort } from './support/front-door.js';
import { gwbridgeGateway, tasksByService, type SwarmTask } from './support/swarm-stack.js';

interface Probe {
  readonly kind: 'task' | 'host';
  readonly target: string;
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  readonly outcome?: string;
}

const SIGN_IN_REFUSED = /^28/;
/** The interface of the container's default route (IPv4), or null when it has none. */
const DEFAULT_ROUTE = `
import { readFileSync } from 'node:fs';
const fields = readFileSync('/proc/net/route', 'utf8').trim().split('\\n').slice(1).map((line) => line.trim().split(/\\s+/));
console.log(JSON.stringify({ via: fields.find((route) => route[1] === '00000000')?.[0] ?? null }));
`;
const serviceNames = new Set(airlockTopology.services.map((service) => service.name));
const storeNames = new Set(storeInstancesOf(airlockTopology).map((store) => store.name));
let tasks: Map<string, SwarmTask[]>;
/** Per source task (service#n): what each of its probes saw. */
const observed = new Map<string, { readonly service: string; readonly probes: Probe[] }>();

beforeAll(async () => {
  tasks = await tasksByService();
  const hostGateway = await gwbridgeGateway();
  const everyPort = [
    ...new Set([...tasks.values()].flatMap((list) => list.map((task) => task.port))),
    frontDoorPort(),
  ];
  for (const [service, sources] of tasks) {
    if (!serviceNames.has(service)) continue;
    for (const [index, source] of sources.entries()) {
      const targets: Probe[] = [];
      for (const [name, targetTasks] of tasks) {
        if (name === service) continue;
        for (const target of targetTasks) {
          for (const [zone, host] of Object.entries(target.addresses)) {
            targets.push({ kind: 'task', target: name, zone, host, port: target.port });
          }
        }
      }
      for (const port of everyPort)
        targets.push({ kind: 'host', target: 'host', zone: 'docker_gwbridge', host: hostGateway, port });
      targets.push({
        kind: 'host',
        target: 'host',
        zone: 'loopback',
        host: '127.0.0.1',
        port: frontDoorPort(),
      });
      observed.set(`${service}#${String(index + 1)}`, {
        service,
        probes: await nodeIn<Probe[]>(source, TCP_PROBE_ON_LINK, targets),
      });
    }
  }
}, 240_000);

/** Which services (or stores) one task opened a connection to. */
function openedBy(probes: readonly Probe[], kind: 'service' | 'store'): string[] {
  const names = kind === 'service' ? serviceNames : storeNames;
  return [
    ...new Set(
      probes
        .filter((p) => p.kind === 'task' && p.outcome === 'open' && names.has(p.target))
        .map((p) => p.target),
    ),
  ].sort();
}

describe('reachability on Swarm overlay networks, from every replica', () => {
  it('runs every replica the stack file asks for (replicasOf: two of each scaled-out service, one of each store)', () => {
    const counts = Object.fromEntries([...tasks.entries()].map(([name, list]) => [name, list.length]));
    const wanted = [...serviceNames, ...storeNames].map((name) => [name, replicasOf(airlockTopology, name)]);
    expect(counts).toEqual(Object.fromEntries(wanted));
    expect(Math.max(...Object.values(counts))).toBe(SCALED_OUT_REPLICAS);
  });

  it('equals reachabilityOf(airlockTopology) for every task of every service', () => {
    const expected = reachabilityOf(airlockTopology);
    const seen = Object.fromEntries(
      [...observed.entries()].map(([task, { probes }]) => [task, openedBy(probes, 'service')]),
    );
    const want = Object.fromEntries(
      [...observed.entries()].map(([task, { service }]) => [task, [...(expected.get(service) ?? [])].sort()]),
    );
    expect(Object.keys(seen).length).toBe(
      [...serviceNames].reduce((sum, name) => sum + replicasOf(airlockTopology, name), 0),
    );
    expect(seen).toEqual(want);
  });

  it('reaches each store exactly as storeReachabilityOf(airlockTopology) says, from every task', () => {
    const expected = storeReachabilityOf(airlockTopology);
    const seen = Object.fromEntries(
      [...observed.entries()].map(([task, { probes }]) => [task, openedBy(probes, 'store')]),
    );
    const want = Object.fromEntries(
      [...observed.entries()].map(([task, { service }]) => [task, [...(expected.get(service) ?? [])].sort()]),
    );
    expect(seen).toEqual(want);
  });

  it('connects only on the overlay networks the two tasks share', () => {
    const strays: string[] = [];
    for (const [task, { service, probes }] of observed) {
      const zones = Object.keys(tasks.get(service)?.[0]?.addresses ?? {});
      for (const probe of probes.filter((p) => p.kind === 'task')) {
        if ((probe.outcome === 'open') !== zones.includes(probe.zone)) {
          strays.push(`${task} -> ${probe.target} ${probe.host} (${probe.zone}): ${probe.outcome ?? '?'}`);
        }
      }
    }
    expect(strays).toEqual([]);
  });

  it('gives no task a way to the host: docker_gwbridge’s gateway and loopback do not answer on any port', () => {
    const open = [...observed.entries()].flatMap(([task, { probes }]) =>
      probes
        .filter((p) => p.kind === 'host' && p.outcome === 'open')
        .map((p) => `${task} -> ${p.host}:${String(p.port)}`),
    );
    const probed = [...observed.values()].flatMap(({ probes }) => probes.filter((p) => p.kind === 'host'));
    expect(probed.length).toBeGreaterThan(0);
    expect(open).toEqual([]);
  });

  it('gives a default route only to tasks on a non-internal network (the edge): the rest have no way out at all', async () => {
    // A task with a default route sends what is not on its own networks to the node (docker_gwbridge), and the node
    // has no route to the overlays: such packets would leave the node. TCP_PROBE_ON_LINK does not send them.
    const onOpenNetwork = new Set(
      stackOf(airlockTopology)
        .networks.filter((network) => !network.internal)
        .flatMap((network) => network.members),
    );
    const withDefaultRoute: string[] = [];
    const expected: string[] = [];
    for (const [service, list] of tasks) {
      for (const [index, task] of list.entries()) {
        if (!serviceNames.has(service)) continue;
        const label = `${service}#${String(index + 1)}`;
        const { via } = await nodeIn<{ via: string | null }>(task, DEFAULT_ROUTE);
        if (via !== null) withDefaultRoute.push(label);
        if (onOpenNetwork.has(service)) expected.push(label);
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(withDefaultRoute.sort()).toEqual(expected.sort());
  });

  it('lets each database credential open its own PostgreSQL server only, from every replica of its user', async () => {
    const servers = storeInstancesOf(airlockTopology).filter((instance) => instance.engine === 'postgresql');
    const credentials = new Map<string, string>();
    for (const holder of new Set(servers.flatMap((server) => server.users))) {
      const [task] = tasks.get(holder) ?? [];
      if (task === undefined) throw new Error(`no task of ${holder}`);
      const { url } = await nodeIn<{ url: string }>(task, READ_URL_FILE, {
        variable: STORE_ENGINES.postgresql.urlFileVariable,
      });
      credentials.set(holder, url);
    }
    const wrong: string[] = [];
    let attempts = 0;
    for (const server of servers) {
      for (const user of server.users) {
        for (const from of tasks.get(user) ?? []) {
          for (const [holder, url] of credentials) {
            const aimed = new URL(url);
            aimed.hostname = server.name;
            aimed.port = String(server.port);
            const { outcome } = await nodeIn<{ outcome: string }>(from, POSTGRES_SIGN_IN, {
              url: aimed.href,
            });
            attempts += 1;
            const own = server.users.includes(holder);
            if (own ? outcome !== 'open' : !SIGN_IN_REFUSED.test(outcome)) {
              wrong.push(`${holder}'s credential at ${server.name} from ${from.containerName}: ${outcome}`);
            }
          }
        }
      }
    }
    expect(attempts).toBe(
      servers.reduce((sum, server) => sum + server.users.length * 2, 0) * credentials.size,
    );
    expect(wrong).toEqual([]);
  });
});
