// Decides everything a new service adds to the topology, and checks it all before anything is written: the
// answers themselves (a DNS-label name, a free port, a known zone and callers, a free edge prefix), then the
// whole edited topology through defineTopology. A plan that comes back is one the topology accepts.
import { defineTopology, edgeService, issuerServiceOf, JWKS_PATH, TopologyError } from '@airlock/topology';
import type {
  CallSpec,
  EdgeRouteSpec,
  ServiceSpec,
  Topology,
  TopologySpec,
  ZoneSpec,
} from '@airlock/topology';

import type { ServiceAnswers } from './answers.js';
import { GeneratorError } from './generator-error.js';

/** A DNS label (RFC 1123), short enough for the topology's names: lowercase, digits and inner hyphens. */
const DNS_LABEL = /^[a-z](?:[a-z0-9-]{0,29}[a-z0-9])?$/;
const EDGE_PREFIX = /^(\/[a-z0-9-]+)+$/;
/** Below this, ports need privileges; the topology's services all listen above it. */
const MIN_PORT = 1024;

export interface ServicePlan {
  readonly service: ServiceSpec;
  /** The zone created for the service, when it asked for a new one. */
  readonly newZone: ZoneSpec | undefined;
  /** Services added to a zone's `admits` (callers into an enclave or sandbox, the service into the issuer's). */
  readonly admissions: readonly { readonly zone: string; readonly service: string }[];
  /** Zones added to a service's own zones (the edge bridging into a new sandbox). */
  readonly joins: readonly { readonly service: string; readonly zone: string }[];
  readonly calls: readonly CallSpec[];
  readonly edgeRoute: EdgeRouteSpec | undefined;
  /** The edited topology, validated. */
  readonly topology: Topology;
}

/** The plan for `answers` on `topology`; throws GeneratorError naming the first bad answer. */
export function planService(
  topology: Topology,
  answers: ServiceAnswers,
  takenFolders: readonly string[] = [],
): ServicePlan {
  const { name } = answers;
  if (!DNS_LABEL.test(name)) {
    throw new GeneratorError(
      'invalid_name',
      `"${name}" is not a lowercase DNS label (a-z first, then a-z, 0-9 or inner hyphens; at most 31 characters)`,
    );
  }
  if (topology.services.some((service) => service.name === name)) {
    throw new GeneratorError('name_taken', `a service named "${name}" is already in the topology`);
  }
  if (takenFolders.includes(name)) {
    throw new GeneratorError('name_taken', `apps/${name} already exists`);
  }
  if (!Number.isInteger(answers.port) || answers.port < MIN_PORT || answers.port > 65535) {
    throw new GeneratorError('invalid_port', `the port must be an integer from ${MIN_PORT} to 65535`);
  }
  const portOwner = topology.services.find((service) => service.port === answers.port);
  if (portOwner !== undefined) {
    throw new GeneratorError('port_taken', `port ${answers.port} is taken by "${portOwner.name}"`);
  }

  const edge = edgeService(topology);
  const issuer = issuerServiceOf(topology);
  const zone = zoneOf(topology, answers);
  const calledBy = answers.calledBy.length > 0 ? answers.calledBy : defaultCallers(answers, edge);
  for (const caller of calledBy) {
    if (!topology.services.some((service) => service.name === caller)) {
      throw new GeneratorError(
        'unknown_caller',
        `unknown caller "${caller}"; services: ${topology.services.map((service) => service.name).join(', ')}`,
      );
    }
  }
  const edgeRoute = edgeRouteOf(topology, answers, edge, calledBy);

  const route = { method: 'GET', path: `/${name}` } as const;
  const sandboxed = zone.kind === 'sandbox';
  // Where the service fetches the signing keys: the issuer, or the edge for a sandbox that reaches nothing else.
  const keysFrom = sandboxed ? edge : issuer;
  const calls: CallSpec[] = [
    ...calledBy.map((caller) => ({
      from: caller,
      to: name,
      as: 'user' as const,
      why: `Forwards the signed-in user’s requests to ${name}.`,
      routes: [route],
    })),
    {
      from: name,
      to: keysFrom.name,
      as: 'public',
      why: sandboxed
        ? 'Fetches the signing keys through the gateway, the only service the sandbox can reach.'
        : 'Fetches the signing keys that verify incoming tokens.',
      routes: [{ method: 'GET', path: JWKS_PATH }],
    },
  ];

  const isolating = zone.kind === 'sandbox' || zone.kind === 'enclave';
  const admissions = [
    // Callers outside an enclave or sandbox are admitted into it; the edge joins a sandbox instead (it bridges).
    ...(isolating
      ? calledBy
          .filter((caller) => !(sandboxed && caller === edge.name))
          .filter((caller) => !isMember(topology, caller, zone))
          .map((caller) => ({ zone: zone.name, service: caller }))
      : []),
    // The service is admitted into the issuer's enclave for its one call there, the signing keys.
    ...(sandboxed || issuer.zones.includes(zone.name)
      ? []
      : topology.zones
          .filter((candidate) => candidate.kind === 'enclave' && issuer.zones.includes(candidate.name))
          .map((candidate) => ({ zone: candidate.name, service: name }))),
  ];
  const edgeJoins = sandboxed && !edge.zones.includes(zone.name);
  const joins = edgeJoins ? [{ service: edge.name, zone: zone.name }] : [];

  const service: ServiceSpec = {
    name,
    port: answers.port,
    zones: [zone.name],
    purpose: answers.purpose ?? `${name}: describe what it does.`,
    holds: answers.holds ?? `Nothing secret yet: JWTs addressed to ${name}.`,
  };
  const newZone = answers.newZone === undefined ? undefined : zone;
  const plan = { service, newZone, admissions, joins, calls, edgeRoute };
  return { ...plan, topology: validated(applyPlan(topology, plan)) };
}

/** The topology spec with the plan's additions, in the order the source file lists them. */
export function applyPlan(spec: TopologySpec, plan: Omit<ServicePlan, 'topology'>): TopologySpec {
  const admitted = (zone: ZoneSpec): ZoneSpec => {
    const added = plan.admissions.filter((admission) => admission.zone === zone.name).map((a) => a.service);
    return added.length === 0 ? zone : { ...zone, admits: [...(zone.admits ?? []), ...added] };
  };
  // Everything the plan does not touch (the stores, and whatever the topology gains later) stays as it is.
  return {
    ...spec,
    zones: [...spec.zones, ...(plan.newZone === undefined ? [] : [plan.newZone])].map(admitted),
    services: [
      ...spec.services.map((service) => {
        const joined = plan.joins.filter((join) => join.service === service.name).map((join) => join.zone);
        return joined.length === 0 ? service : { ...service, zones: [...service.zones, ...joined] };
      }),
      plan.service,
    ],
    calls: [...spec.calls, ...plan.calls],
    edgeRoutes: [...spec.edgeRoutes, ...(plan.edgeRoute === undefined ? [] : [plan.edgeRoute])],
  };
}

function zoneOf(topology: Topology, answers: ServiceAnswers): ZoneSpec {
  const existing = topology.zones.find((zone) => zone.name === answers.zone);
  if (answers.newZone !== undefined) {
    if (existing !== undefined) {
      throw new GeneratorError(
        'zone_taken',
        `zone "${answers.zone}" already exists; drop --new-zone to join it`,
      );
    }
    if (!DNS_LABEL.test(answers.zone)) {
      throw new GeneratorError('invalid_name', `zone name "${answers.zone}" is not a lowercase DNS label`);
    }
    return {
      name: answers.zone,
      kind: answers.newZone,
      purpose:
        answers.newZone === 'sandbox'
          ? `Sandbox of ${answers.name}: no route to any other zone, no egress.`
          : `Enclave of ${answers.name}: reachable only from the services it admits.`,
    };
  }
  if (existing === undefined) {
    throw new GeneratorError(
      'unknown_zone',
      `unknown zone "${answers.zone}"; zones: ${topology.zones.map((zone) => zone.name).join(', ')} (or create one with --new-zone sandbox|enclave)`,
    );
  }
  if (existing.kind === 'edge') {
    throw new GeneratorError(
      'unknown_zone',
      `zone "${existing.name}" is the edge: it holds the gateway alone`,
    );
  }
  return existing;
}

function defaultCallers(answers: ServiceAnswers, edge: ServiceSpec): string[] {
  if (answers.edgePrefix !== undefined) return [edge.name];
  throw new GeneratorError('missing_answer', '--called-by is required when the service has no --edge-prefix');
}

function edgeRouteOf(
  topology: Topology,
  answers: ServiceAnswers,
  edge: ServiceSpec,
  calledBy: readonly string[],
): EdgeRouteSpec | undefined {
  const prefix = answers.edgePrefix;
  if (prefix === undefined) return undefined;
  if (!EDGE_PREFIX.test(prefix)) {
    throw new GeneratorError(
      'invalid_edge_prefix',
      `edge prefix "${prefix}" must be one or more /segments of a-z, 0-9 and hyphens, e.g. /api/${answers.name}`,
    );
  }
  const clash = topology.edgeRoutes.find((route) => overlaps(route.prefix, prefix));
  if (clash !== undefined) {
    throw new GeneratorError(
      'edge_prefix_taken',
      `edge prefix "${prefix}" overlaps "${clash.prefix}", which the gateway forwards to ${clash.to}`,
    );
  }
  if (!calledBy.includes(edge.name)) {
    throw new GeneratorError(
      'unknown_caller',
      `--edge-prefix makes ${edge.name} forward users' requests: add ${edge.name} to --called-by`,
    );
  }
  return { prefix, to: answers.name, upstreamPrefix: `/${answers.name}`, as: 'user' };
}

/** Whole-segment prefixes overlap when one is the other or lies under it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function isMember(topology: Topology, service: string, zone: ZoneSpec): boolean {
  return (
    topology.services.some(
      (candidate) => candidate.name === service && candidate.zones.includes(zone.name),
    ) || (zone.admits ?? []).includes(service)
  );
}

function validated(spec: TopologySpec): Topology {
  try {
    return defineTopology(spec);
  } catch (error) {
    if (error instanceof TopologyError) {
      throw new GeneratorError(
        'topology_invalid',
        `the topology would refuse this service: ${error.message}`,
      );
    }
    throw error;
  }
}
