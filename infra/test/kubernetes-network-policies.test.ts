// The NetworkPolicies are the boundary on a cluster: computed from the committed policies alone, who can reach
// whom must be exactly the topology's calls, plus clients to the edge and every service to the cluster DNS.
import { describe, expect, it } from '@jest/globals';
import { airlockTopology, serviceNamed } from '@airlock/topology';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { isDeepStrictEqual } from 'node:util';
import { NAMESPACE, SERVICE_LABEL, WHY_ANNOTATION } from '../src/kubernetes/cluster-layout.js';
import {
  callPairsOf,
  DNS_NAMESPACE,
  DNS_POD_LABELS,
  DNS_PORT,
  edgeServicesOf,
  NAMESPACE_NAME_LABEL,
} from '../src/kubernetes/network-policies.js';
import {
  allowedConnections,
  connectionOf,
  type Connection,
  type Peer,
  type Port,
} from '../src/kubernetes/policy-reachability.js';
import { networkPolicies, podsOfDeployments } from './kubernetes-support.js';

const services = podsOfDeployments();
/** Clients: a pod of another namespace (outside the cluster looks the same to a policy without ipBlock). */
const client: Peer = {
  name: 'client',
  namespace: 'elsewhere',
  namespaceLabels: { [NAMESPACE_NAME_LABEL]: 'elsewhere' },
  podLabels: { app: 'client' },
  namedPorts: {},
};
const dns: Peer = {
  name: 'kube-dns',
  namespace: DNS_NAMESPACE,
  namespaceLabels: { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE },
  podLabels: { ...DNS_POD_LABELS },
  namedPorts: {},
};
const peers = [...services, client, dns];
const ports: Port[] = [
  ...airlockTopology.services.map((service) => ({ port: service.port, protocol: 'TCP' as const })),
  { port: DNS_PORT, protocol: 'UDP' },
  { port: DNS_PORT, protocol: 'TCP' },
];

/** Only connections with an end in Airlock's namespace: the rest is not governed by these policies. */
function reachability(policies: readonly INetworkPolicy[]): Connection[] {
  const inNamespace = new Set(services.map((service) => service.name));
  return allowedConnections(policies, peers, ports).filter((connection) => {
    const [from = '', rest = ''] = connection.split(' -> ');
    return inNamespace.has(from) || inNamespace.has(rest.split(':')[0] ?? '');
  });
}

function expectedReachability(): Connection[] {
  const tcp = (port: number): Port => ({ port, protocol: 'TCP' });
  return [
    ...callPairsOf(airlockTopology).map((pair) => connectionOf(pair.from, pair.to, tcp(pair.port))),
    ...edgeServicesOf(airlockTopology).flatMap((edge) =>
      [client, dns].map((outside) =>
        connectionOf(outside.name, edge, tcp(serviceNamed(airlockTopology, edge).port)),
      ),
    ),
    ...services.flatMap((service) => [
      connectionOf(service.name, dns.name, { port: DNS_PORT, protocol: 'UDP' }),
      connectionOf(service.name, dns.name, tcp(DNS_PORT)),
    ]),
  ].sort();
}

function withPolicy(name: string, change: (policy: INetworkPolicy) => INetworkPolicy): INetworkPolicy[] {
  expect(networkPolicies.some((policy) => policy.metadata?.name === name)).toBe(true);
  return networkPolicies.map((policy) =>
    policy.metadata?.name === name ? change(structuredClone(policy)) : policy,
  );
}

describe('the generated NetworkPolicies', () => {
  it('run one pod per topology service in the namespace', () => {
    expect(services.map((service) => service.name).sort()).toEqual(
      airlockTopology.services.map((service) => service.name).sort(),
    );
    expect(new Set(services.map((service) => service.namespace))).toEqual(new Set([NAMESPACE]));
  });

  it('allow exactly the topology’s calls, clients to the edge and DNS: nothing else', () => {
    const expected = expectedReachability();
    expect(reachability(networkPolicies)).toEqual(expected);
    // The relation is not trivially empty or full: the gateway is reachable, payments only from orders.
    expect(expected).toContain('client -> gateway:8080/TCP');
    expect(expected).toContain('orders -> payments:8083/TCP');
    expect(expected).not.toContain('image-processor -> auth:8081/TCP');
  });

  it('deny everything to a pod no allow names (the default deny)', () => {
    const isolated: Peer = {
      ...client,
      name: 'intruder',
      namespace: NAMESPACE,
      podLabels: { app: 'intruder' },
    };
    const reachable = allowedConnections(networkPolicies, [...peers, isolated], ports);
    expect(reachable.filter((connection) => connection.includes('intruder'))).toEqual([
      'intruder -> kube-dns:53/TCP',
      'intruder -> kube-dns:53/UDP',
    ]);
  });

  it('have exactly one egress allow on the caller and one ingress allow on the callee per call pair', () => {
    const named = (service: string) => ({ matchLabels: { [SERVICE_LABEL]: service } });
    for (const pair of callPairsOf(airlockTopology)) {
      const egress = networkPolicies.filter(
        (policy) =>
          isDeepStrictEqual(policy.spec?.podSelector, named(pair.from)) &&
          (policy.spec?.egress ?? []).some((rule) =>
            (rule.to ?? []).some((peer) => isDeepStrictEqual(peer.podSelector, named(pair.to))),
          ),
      );
      const ingress = networkPolicies.filter(
        (policy) =>
          isDeepStrictEqual(policy.spec?.podSelector, named(pair.to)) &&
          (policy.spec?.ingress ?? []).some((rule) =>
            (rule.from ?? []).some((peer) => isDeepStrictEqual(peer.podSelector, named(pair.from))),
          ),
      );
      expect({ pair, egress: egress.length, ingress: ingress.length }).toEqual({
        pair,
        egress: 1,
        ingress: 1,
      });
      for (const why of pair.why) {
        expect(egress[0]?.metadata?.annotations?.[WHY_ANNOTATION]).toContain(why);
        expect(ingress[0]?.metadata?.annotations?.[WHY_ANNOTATION]).toContain(why);
      }
    }
  });
});

describe('the reachability computed from policies catches a broken policy', () => {
  it('a typo’d label in an egress allow loses that call', () => {
    const broken = withPolicy('orders-egress-to-payments', (policy) => {
      const peer = policy.spec?.egress?.[0]?.to?.[0];
      if (peer?.podSelector?.matchLabels === undefined) throw new Error('unexpected policy shape');
      peer.podSelector.matchLabels['app.kubernetes.io/name'] = 'paymnets';
      return policy;
    });
    const computed = reachability(broken);
    expect(computed).not.toEqual(expectedReachability());
    expect(expectedReachability().filter((connection) => !computed.includes(connection))).toEqual([
      'orders -> payments:8083/TCP',
    ]);
  });

  it('a typo’d namespace in the DNS allow loses DNS for every service', () => {
    const broken = withPolicy('allow-dns-egress', (policy) => {
      const peer = policy.spec?.egress?.[0]?.to?.[0];
      if (peer?.namespaceSelector?.matchLabels === undefined) throw new Error('unexpected policy shape');
      peer.namespaceSelector.matchLabels[NAMESPACE_NAME_LABEL] = 'kube-sytem';
      return policy;
    });
    const computed = reachability(broken);
    expect(computed.filter((connection) => connection.includes('kube-dns:53'))).toEqual([]);
  });

  it('without the default deny, a pod that no allow names is open to whatever lies outside', () => {
    const intruder: Peer = { ...client, name: 'intruder', namespace: NAMESPACE, podLabels: { app: 'x' } };
    const open = allowedConnections(
      networkPolicies.filter((policy) => policy.metadata?.name !== 'default-deny'),
      [...peers, intruder],
      ports,
    );
    expect(open).toContain('client -> intruder:8081/TCP');
    expect(open).toContain('kube-dns -> intruder:8082/TCP');
  });

  it('a wrong port in an ingress allow loses that call', () => {
    const broken = withPolicy('auth-ingress-from-orders', (policy) => {
      const port = policy.spec?.ingress?.[0]?.ports?.[0];
      if (port === undefined) throw new Error('unexpected policy shape');
      port.port = 8018;
      return policy;
    });
    const computed = reachability(broken);
    expect(expectedReachability().filter((connection) => !computed.includes(connection))).toEqual([
      'orders -> auth:8081/TCP',
    ]);
  });

  it('an allow without a peer list opens the callee to every pod', () => {
    const broken = withPolicy('payments-ingress-from-orders', (policy) => {
      const rule = policy.spec?.ingress?.[0];
      if (rule === undefined) throw new Error('unexpected policy shape');
      delete rule.from;
      return policy;
    });
    const extra = reachability(broken).filter((connection) => !expectedReachability().includes(connection));
    // Only callers whose own egress allows payments could use it: none but orders, so the egress layer holds.
    expect(extra).toEqual(['client -> payments:8083/TCP', 'kube-dns -> payments:8083/TCP']);
  });
});
