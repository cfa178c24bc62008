// Where each service listens and whom it calls, as processes see it: the environment variable names, the local
// (loopback) origins, the upstreams of each service and where it fetches signing keys. Service configs, the
// local stack, the compose file and the tests all read these, so a new service is wired by its topology entry.
import type { ServiceSpec, Topology } from './model.js';
import { edgeService, serviceNamed } from './lookup.js';
import { TopologyError } from './topology-error.js';

/** Loopback: the local stack and every default address. */
export const LOCAL_HOST = '127.0.0.1';
/** The public route of the signing keys, as every service fetches them (auth's route, maybe through the edge). */
export const JWKS_PATH = '/auth/jwks';

/** `orders` -> `AIRLOCK_ORDERS`: the prefix of a service's own environment variables. */
export function envPrefixOf(service: string): string {
  return `AIRLOCK_${service.toUpperCase().replaceAll('-', '_')}`;
}

/** The variable that sets the port a service listens on, e.g. `AIRLOCK_ORDERS_PORT`. */
export function portVariableOf(service: string): string {
  return `${envPrefixOf(service)}_PORT`;
}

/** The variable that sets the address a service binds, e.g. `AIRLOCK_ORDERS_HOST`. */
export function hostVariableOf(service: string): string {
  return `${envPrefixOf(service)}_HOST`;
}

/** The variable that tells a caller where a service is reached, e.g. `AIRLOCK_ORDERS_URL`. */
export function urlVariableOf(service: string): string {
  return `${envPrefixOf(service)}_URL`;
}

/** The origin a service has on loopback at its topology port (or at `port`). */
export function localOriginOf(service: ServiceSpec, port: number = service.port): string {
  return `http://${LOCAL_HOST}:${port}`;
}

/** The services `service` calls, in declaration order, each once. */
export function upstreamsOf(topology: Topology, service: string): ServiceSpec[] {
  serviceNamed(topology, service);
  const names = new Set(topology.calls.filter((call) => call.from === service).map((call) => call.to));
  return [...names].map((name) => serviceNamed(topology, name));
}

/** The prefix of the edge route to `service`, or undefined when clients cannot reach it. */
export function edgePrefixOf(topology: Topology, service: string): string | undefined {
  return topology.edgeRoutes.find((route) => route.to === service && route.upstreamPrefix === route.prefix)
    ?.prefix;
}

/** The service that issues tokens: the callee of every `service` call (token exchange, introspection). */
export function issuerServiceOf(topology: Topology): ServiceSpec {
  const names = new Set(topology.calls.filter((call) => call.as === 'service').map((call) => call.to));
  const [name, ...others] = names;
  if (name === undefined || others.length > 0) {
    throw new TopologyError('issuer_invalid', 'exactly one service must take service-authenticated calls');
  }
  return serviceNamed(topology, name);
}

/** auth's issuer on loopback: the edge's public origin followed by auth's edge prefix. */
export function localIssuerOf(topology: Topology, edgePort?: number): string {
  const issuer = issuerServiceOf(topology);
  const prefix = edgePrefixOf(topology, issuer.name);
  if (prefix === undefined) {
    throw new TopologyError('issuer_invalid', `the edge routes no prefix to ${issuer.name}`);
  }
  return `${localOriginOf(edgeService(topology), edgePort)}${prefix}`;
}

/**
 * The service `service` fetches the signing keys from: the callee of its `GET /auth/jwks` call (auth directly,
 * or the gateway for a sandbox that reaches nothing else). Undefined for a service that verifies no token.
 */
export function jwksProviderOf(topology: Topology, service: string): ServiceSpec | undefined {
  const call = topology.calls.find(
    (candidate) =>
      candidate.from === service &&
      candidate.routes.some((route) => route.method === 'GET' && route.path === JWKS_PATH),
  );
  return call === undefined ? undefined : serviceNamed(topology, call.to);
}

/**
 * The order the local stack starts services in: every service after the services it calls, the edge last (it
 * is the door). Calls to the edge (the sandbox's JWKS through the gateway) are made lazily, at the first token,
 * so they do not order the start.
 */
export function startOrderOf(topology: Topology): ServiceSpec[] {
  const edge = edgeService(topology);
  const ordered: ServiceSpec[] = [];
  const visiting = new Set<string>();
  const visit = (service: ServiceSpec): void => {
    if (ordered.includes(service) || service === edge) return;
    if (visiting.has(service.name)) {
      throw new TopologyError('call_cycle', `calls form a cycle through ${service.name}`);
    }
    visiting.add(service.name);
    for (const upstream of upstreamsOf(topology, service.name)) visit(upstream);
    visiting.delete(service.name);
    ordered.push(service);
  };
  for (const service of topology.services) visit(service);
  return [...ordered, edge];
}
