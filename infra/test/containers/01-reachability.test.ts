// Proof 1: from inside every container, which services and stores answer a TCP connect, on every address they
// have. The observed matrix must be exactly the one the topology derives: reachable where a zone or data network is
// shared, nothing else, and no container reaches the host through its networks' gateway addresses or the published
// port. The stores hold no Node, so they are probed as targets only; a store's network holds it and its users.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology, reachabilityOf, storeInstancesOf, storeReachabilityOf } from '@airlock/topology';
import { STORE_ENGINES } from '../../src/stack.js';
import { POSTGRES_SIGN_IN, READ_URL_FILE, TCP_PROBE } from './support/in-container-scripts.js';
import { markdownTable, recordFinding } from './support/proof-report.js';
import { useStack } from './support/use-stack.js';
import { nodeIn, serviceOf } from './support/stack-state.js';

interface Probe {
  readonly kind: 'service' | 'store' | 'host-gateway' | 'published';
  readonly target: string;
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  readonly outcome?: string;
}

/** A probe of the host (a network's gateway address, or the published port), as opposed to a service or store. */
const isHostProbe = (probe: Probe): boolean => probe.kind === 'host-gateway' || probe.kind === 'published';

const failures: string[] = [];
const observedBySource = new Map<string, Probe[]>();
/** Sign-ins at each PostgreSQL server with each service's credential: [server, credential of, from, outcome]. */
const signIns: string[][] = [];
/** PostgreSQL's SQLSTATE class 28: the server refused the sign-in (no pg_hba entry, wrong password). */
const SIGN_IN_REFUSED = /^28/;
const stack = useStack();

beforeAll(async () => {
  const { services, stores, networks, publishedPort } = stack.get();
  for (const source of Object.values(services)) {
    const targets: Probe[] = [];
    for (const target of Object.values(services)) {
      if (target.name === source.name) continue;
      for (const [zone, host] of Object.entries(target.addresses)) {
        targets.push({ kind: 'service', target: target.name, zone, host, port: target.port });
      }
    }
    for (const store of Object.values(stores)) {
      for (const [zone, host] of Object.entries(store.addresses)) {
        targets.push({ kind: 'store', target: store.name, zone, host, port: store.port });
      }
    }
    // The host, as each of the source's networks sees it: every service and store port and the published port.
    const ports = [
      ...new Set([...Object.values({ ...services, ...stores }).map((target) => target.port), publishedPort]),
    ];
    for (const zone of Object.keys(source.addresses)) {
      const gateway = networks[zone]?.gateway ?? '';
      for (const port of ports)
        targets.push({ kind: 'host-gateway', target: 'host', zone, host: gateway, port });
    }
    targets.push({ kind: 'published', target: 'host', zone: '-', host: '127.0.0.1', port: publishedPort });
    observedBySource.set(source.name, await nodeIn<Probe[]>(source, TCP_PROBE, targets));
  }
}, 120_000);

afterAll(() => {
  const launchError = stack.launchError();
  if (launchError !== undefined) failures.push(`the stack did not start: ${launchError}`);
  const published = launchError === undefined ? String(stack.get().publishedPort) : '(none)';
  const names = airlockTopology.services.map((service) => service.name);
  const storeNames = launchError === undefined ? Object.keys(stack.get().stores) : [];
  const expected = reachabilityOf(airlockTopology);
  const expectedStores = storeReachabilityOf(airlockTopology);
  const cell = (from: string, to: string): string => {
    if (from === to) return '·';
    const open = (observedBySource.get(from) ?? []).some(
      (p) => !isHostProbe(p) && p.target === to && p.outcome === 'open',
    );
    const allowed = expected.get(from)?.has(to) === true || expectedStores.get(from)?.has(to) === true;
    return `${open ? 'reachable' : 'no'}${open === allowed ? '' : ' (UNEXPECTED)'}`;
  };
  const hostProbes = [...observedBySource.entries()].flatMap(([from, probes]) =>
    probes.filter(isHostProbe).map((p) => [from, `${p.host}:${p.port}`, p.zone, p.outcome ?? '?']),
  );
  recordFinding({
    id: 'reachability',
    claim:
      'A service can open a TCP connection to another exactly when the topology lets them share a zone network ' +
      '(reachabilityOf), and a store exactly when it is on that store’s data network (storeReachabilityOf); nothing ' +
      'reaches the host through a network’s gateway address or the published port.',
    method:
      'From inside each service container, a Node script connects (1 s timeout) to every other service’s and every ' +
      'store’s port on each of its addresses (one per network), to each of the source’s network gateways (the host) on every service ' +
      `port and the published port ${published}, and to 127.0.0.1:${published}.`,
    observed: [
      'Observed (rows: from, columns: to; a mismatch with the topology would read UNEXPECTED):',
      '',
      markdownTable(
        ['from \\ to', ...names, ...storeNames],
        names.map((from) => [from, ...[...names, ...storeNames].map((to) => cell(from, to))]),
      ),
      '',
      'Per address (a service is reachable only on the address of a network it shares with the caller):',
      '',
      markdownTable(
        ['from', 'to', 'address (zone)', 'outcome'],
        [...observedBySource.entries()].flatMap(([from, probes]) =>
          probes
            .filter((p) => p.kind === 'service' || p.kind === 'store')
            .map((p) => [from, p.target, `${p.host}:${p.port} (${p.zone})`, p.outcome ?? '?']),
        ),
      ),
      '',
      'The host, from inside each container:',
      '',
      markdownTable(['from', 'address', 'network', 'outcome'], hostProbes),
      '',
      'Each PostgreSQL server, signed in to with each service’s database credential, from a container on its ' +
        'data network (open, or the SQLSTATE of the refusal; class 28 is a refused sign-in):',
      '',
      markdownTable(['server', 'credential of', 'from', 'outcome'], signIns),
    ].join('\n'),
    failures,
  });
});

describe('reachability matrix', () => {
  it('equals reachabilityOf(airlockTopology): every allowed pair connects, every other pair is refused or times out', () => {
    const expected = reachabilityOf(airlockTopology);
    const observed = new Map(
      [...observedBySource.entries()].map(([from, probes]) => [
        from,
        [
          ...new Set(probes.filter((p) => p.kind === 'service' && p.outcome === 'open').map((p) => p.target)),
        ].sort(),
      ]),
    );
    for (const [from, peers] of expected) {
      const saw = observed.get(from) ?? [];
      const want = [...peers].sort();
      if (JSON.stringify(saw) !== JSON.stringify(want))
        failures.push(`${from} reaches [${saw.join(', ')}], topology says [${want.join(', ')}]`);
    }
    expect(Object.fromEntries(observed)).toEqual(
      Object.fromEntries([...expected.entries()].map(([from, peers]) => [from, [...peers].sort()])),
    );
  });

  it('reaches each store exactly as storeReachabilityOf(airlockTopology) says', () => {
    const expected = storeReachabilityOf(airlockTopology);
    const observed = Object.fromEntries(
      [...observedBySource.entries()].map(([from, probes]) => [
        from,
        [
          ...new Set(probes.filter((p) => p.kind === 'store' && p.outcome === 'open').map((p) => p.target)),
        ].sort(),
      ]),
    );
    const want = Object.fromEntries(
      [...expected.entries()].map(([from, stores]) => [from, [...stores].sort()]),
    );
    for (const [from, stores] of Object.entries(want)) {
      if (JSON.stringify(observed[from] ?? []) !== JSON.stringify(stores))
        failures.push(
          `${from} reaches stores [${(observed[from] ?? []).join(', ')}], topology says [${stores.join(', ')}]`,
        );
    }
    expect(Object.keys(stack.get().stores).sort()).toEqual(
      [...new Set([...expected.values()].flatMap((stores) => [...stores]))].sort(),
    );
    expect(observed).toEqual(want);
  });

  it('connects only on the networks the two services share', () => {
    const strays: string[] = [];
    for (const [from, probes] of observedBySource) {
      const sourceZones = Object.keys(stack.get().services[from]?.addresses ?? {});
      for (const probe of probes.filter((p) => p.kind === 'service' || p.kind === 'store')) {
        const shared = sourceZones.includes(probe.zone);
        if ((probe.outcome === 'open') !== shared) {
          strays.push(
            `${from} -> ${probe.target} on ${probe.zone}: ${probe.outcome ?? '?'} (shares it: ${String(shared)})`,
          );
        }
      }
    }
    failures.push(...strays);
    expect(strays).toEqual([]);
  });

  it('gives no container a way to the host: gateway addresses and the published port do not answer', () => {
    // A network without a gateway address would leave its host probes nothing to connect to: no proof at all.
    const withoutGateway = Object.values(stack.get().networks)
      .filter((network) => network.gateway === '')
      .map((network) => network.zone);
    failures.push(
      ...withoutGateway.map((zone) => `network ${zone} has no gateway address to probe the host at`),
    );
    const open = [...observedBySource.entries()].flatMap(([from, probes]) =>
      probes
        .filter((p) => isHostProbe(p) && p.outcome === 'open')
        .map((p) => `${from} -> ${p.host}:${p.port}`),
    );
    failures.push(...open.map((line) => `reached the host: ${line}`));
    expect(withoutGateway).toEqual([]);
    expect(open).toEqual([]);
  });

  it('lets each database credential open its own PostgreSQL server only: the others refuse it', async () => {
    const current = stack.get();
    const servers = storeInstancesOf(airlockTopology).filter((instance) => instance.engine === 'postgresql');
    const credentials = new Map<string, string>();
    for (const holder of new Set(servers.flatMap((server) => server.users))) {
      const { url } = await nodeIn<{ url: string }>(serviceOf(current, holder), READ_URL_FILE, {
        variable: STORE_ENGINES.postgresql.urlFileVariable,
      });
      credentials.set(holder, url);
    }
    const wrong: string[] = [];
    for (const server of servers) {
      // Only its users share its network; the first of them is where a stolen credential would be tried.
      const [from = ''] = server.users;
      for (const [holder, url] of credentials) {
        const aimed = new URL(url);
        aimed.hostname = server.name;
        aimed.port = String(server.port);
        const { outcome } = await nodeIn<{ outcome: string }>(serviceOf(current, from), POSTGRES_SIGN_IN, {
          url: aimed.href,
        });
        signIns.push([server.name, holder, from, outcome]);
        const own = server.users.includes(holder);
        if (own ? outcome !== 'open' : !SIGN_IN_REFUSED.test(outcome))
          wrong.push(`${holder}'s credential at ${server.name} (from ${from}): ${outcome}`);
      }
    }
    failures.push(...wrong.map((line) => `database sign-in: ${line}`));
    expect(signIns).toHaveLength(servers.length * credentials.size);
    expect(wrong).toEqual([]);
  }, 120_000);
});
