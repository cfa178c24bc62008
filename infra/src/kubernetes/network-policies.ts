// The topology's reachability as NetworkPolicies: deny every ingress and egress in the namespace, then allow DNS,
// clients to the edge, and, for each (caller, callee) pair the topology's calls permit, one egress allow on the
// caller and one ingress allow on the callee for the callee's port. Nothing else is allowed.
import { networksOf, serviceNamed, type Topology } from '@airlock/topology';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { NAMESPACE, podLabelsOf, SERVICE_LABEL, WHY_ANNOTATION } from './cluster-layout.js';

/** The cluster DNS as most distributions label it (kind, k3d, GKE, EKS, AKS: `k8s-app: kube-dns`). */
export const DNS_NAMESPACE = 'kube-system';
export const DNS_POD_LABELS: Readonly<Record<string, string>> = { 'k8s-app': 'kube-dns' };
export const DNS_PORT = 53;
/** Set by the API server on every namespace (Kubernetes >= 1.22), so it can be selected by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface CallPair {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  /** The `why` of each topology call from `from` to `to`. */
  readonly why: readonly string[];
}

/** Each (caller, callee) pair once, in the topology's order, with every reason given for it. */
export function callPairsOf(topology: Topology): CallPair[] {
  const pairs = new Map<string, { from: string; to: string; port: number; why: string[] }>();
  for (const call of topology.calls) {
    const key = `${call.from}\u0000${call.to}`;
    const pair = pairs.get(key) ?? {
      from: call.from,
      to: call.to,
      port: serviceNamed(topology, call.to).port,
      why: [],
    };
    pair.why.push(call.why);
    pairs.set(key, pair);
  }
  return [...pairs.values()];
}

/** The services on a network that is not internal: clients may reach them, on their port. */
export function edgeServicesOf(topology: Topology): string[] {
  const names = networksOf(topology)
    .filter((network) => !network.internal)
    .flatMap((network) => network.members);
  return [...new Set(names)];
}

export function networkPoliciesOf(topology: Topology): NetworkPolicy[] {
  const selectService = (service: string): { matchLabels: Record<string, string> } => ({
    matchLabels: { [SERVICE_LABEL]: service },
  });
  return [
    new NetworkPolicy({
      metadata: {
        name: 'default-deny',
        namespace: NAMESPACE,
        labels: { 'app.kubernetes.io/part-of': NAMESPACE },
      },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    }),
    new NetworkPolicy({
      metadata: {
        name: 'allow-dns-egress',
        namespace: NAMESPACE,
        annotations: { [WHY_ANNOTATION]: 'Every service resolves the names of the services it calls.' },
      },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE } },
                podSelector: { matchLabels: { ...DNS_POD_LABELS } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: DNS_PORT },
              { protocol: 'TCP', port: DNS_PORT },
            ],
          },
        ],
      },
    }),
    ...edgeServicesOf(topology).map(
      (service) =>
        new NetworkPolicy({
          metadata: {
            name: `${service}-ingress-from-clients`,
            namespace: NAMESPACE,
            labels: podLabelsOf(service),
            annotations: { [WHY_ANNOTATION]: 'The edge: the single entry point for clients.' },
          },
          spec: {
            podSelector: selectService(service),
            policyTypes: ['Ingress'],
            // No `from`: any source, inside the cluster or through a load balancer or port-forward.
            ingress: [{ ports: [{ protocol: 'TCP', port: serviceNamed(topology, service).port }] }],
          },
        }),
    ),
    ...callPairsOf(topology).flatMap((pair) => {
      const annotations = { [WHY_ANNOTATION]: pair.why.join(' ') };
      const ports = [{ protocol: 'TCP' as const, port: pair.port }];
      return [
        new NetworkPolicy({
          metadata: {
            name: `${pair.from}-egress-to-${pair.to}`,
            namespace: NAMESPACE,
            labels: podLabelsOf(pair.from),
            annotations,
          },
          spec: {
            podSelector: selectService(pair.from),
            policyTypes: ['Egress'],
            egress: [{ to: [{ podSelector: selectService(pair.to) }], ports }],
          },
        }),
        new NetworkPolicy({
          metadata: {
            name: `${pair.to}-ingress-from-${pair.from}`,
            namespace: NAMESPACE,
            labels: podLabelsOf(pair.to),
            annotations,
          },
          spec: {
            podSelector: selectService(pair.to),
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: selectService(pair.from) }], ports }],
          },
        }),
      ];
    }),
  ];
}
