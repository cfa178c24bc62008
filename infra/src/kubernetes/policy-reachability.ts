// Who can open a connection to whom, computed from NetworkPolicies alone, the way the Kubernetes NetworkPolicy
// API defines it: a pod selected by no policy of a direction is open in that direction; a selected pod admits
// only what some rule of a selecting policy allows; a connection needs the sender's egress and the receiver's
// ingress. ipBlock peers are read as "any address" (an over-approximation: no allow can hide behind one).
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';

type LabelSelector = NonNullable<NonNullable<INetworkPolicy['spec']>['podSelector']>;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A pod (or, outside any namespace the policies govern, a stand-in for clients). */
export interface Peer {
  readonly name: string;
  readonly namespace: string;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Container port names, for policies that name a port. */
  readonly namedPorts: Readonly<Record<string, number>>;
}

export interface Port {
  readonly port: number;
  readonly protocol: Protocol;
}

/** `from -> to:port/protocol` */
export type Connection = string;

export function connectionOf(from: string, to: string, port: Port): Connection {
  return `${from} -> ${to}:${port.port}/${port.protocol}`;
}

/** Every connection from a peer to a peer on one of `ports` that the policies allow, sorted. */
export function allowedConnections(
  policies: readonly INetworkPolicy[],
  peers: readonly Peer[],
  ports: readonly Port[],
): Connection[] {
  const allowed: Connection[] = [];
  for (const from of peers) {
    for (const to of peers) {
      for (const port of ports) {
        if (isAllowed(policies, from, to, port)) allowed.push(connectionOf(from.name, to.name, port));
      }
    }
  }
  return allowed.sort();
}

export function isAllowed(policies: readonly INetworkPolicy[], from: Peer, to: Peer, port: Port): boolean {
  return (
    allowsDirection(policies, 'Egress', from, to, port) &&
    allowsDirection(policies, 'Ingress', to, from, port)
  );
}

/** Whether `subject`'s policies of `direction` let it talk to `other` on `port` (at `to`'s side for ingress). */
function allowsDirection(
  policies: readonly INetworkPolicy[],
  direction: 'Ingress' | 'Egress',
  subject: Peer,
  other: Peer,
  port: Port,
): boolean {
  const selecting = policies.filter(
    (policy) =>
      (policy.metadata?.namespace ?? 'default') === subject.namespace &&
      matchesSelector(policy.spec?.podSelector ?? {}, subject.podLabels) &&
      policyTypesOf(policy).includes(direction),
  );
  if (selecting.length === 0) return true;
  // The port is always the receiver's: for egress `other` receives, for ingress `subject` does.
  const receiver = direction === 'Egress' ? other : subject;
  return selecting.some((policy) => {
    const namespace = policy.metadata?.namespace ?? 'default';
    const rules =
      direction === 'Egress'
        ? (policy.spec?.egress ?? []).map((rule) => ({ peers: rule.to, ports: rule.ports }))
        : (policy.spec?.ingress ?? []).map((rule) => ({ peers: rule.from, ports: rule.ports }));
    return rules.some(
      (rule) => peersMatch(rule.peers, other, namespace) && portsMatch(rule.ports, port, receiver.namedPorts),
    );
  });
}

/** As the API defines it: absent policyTypes means Ingress, plus Egress when the policy has egress rules. */
function policyTypesOf(policy: INetworkPolicy): string[] {
  if (policy.spec?.policyTypes !== undefined) return policy.spec.policyTypes;
  return policy.spec?.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
}

function peersMatch(
  peers: readonly INetworkPolicyPeer[] | undefined,
  peer: Peer,
  policyNamespace: string,
): boolean {
  // No peers listed: every source or destination.
  if (peers === undefined || peers.length === 0) return true;
  return peers.some((candidate) => {
    if (candidate.ipBlock !== undefined) return true;
    const namespaceOk =
      candidate.namespaceSelector === undefined
        ? peer.namespace === policyNamespace
        : matchesSelector(candidate.namespaceSelector, peer.namespaceLabels);
    const podOk =
      candidate.podSelector === undefined || matchesSelector(candidate.podSelector, peer.podLabels);
    return namespaceOk && podOk;
  });
}

function portsMatch(
  ports: readonly INetworkPolicyPort[] | undefined,
  port: Port,
  namedPorts: Readonly<Record<string, number>>,
): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((candidate) => {
    if ((candidate.protocol ?? 'TCP') !== port.protocol) return false;
    if (candidate.port === undefined) return true;
    const first = typeof candidate.port === 'number' ? candidate.port : namedPorts[candidate.port];
    if (first === undefined) return false;
    return port.port >= first && port.port <= (candidate.endPort ?? first);
  });
}

/** Label selector semantics: every matchLabels pair and every expression must hold; `{}` selects everything. */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every((expression) => {
    const value = labels[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        // An operator the API does not define selects nothing: fail closed.
        return false;
    }
  });
  return byLabels && byExpressions;
}
