// Least privilege between services: which scopes a token addressed to a service may carry, derived from the
// scopes its routes require. Auth narrows every exchanged token to these; each service checks that the scopes
// its routes require are exactly the ones declared here, so the two cannot drift apart.
import type { HttpMethod, Topology } from './model.js';
import { serviceNamed } from './lookup.js';
import { TopologyError } from './topology-error.js';

/** Every scope some `user` route of `audience` requires, in declaration order, each once. */
export function scopesOfAudience(topology: Topology, audience: string): string[] {
  serviceNamed(topology, audience);
  const scopes = topology.calls
    .filter((call) => call.to === audience && call.as === 'user')
    .flatMap((call) => call.routes.flatMap((route) => route.scopes ?? []));
  return [...new Set(scopes)];
}

/**
 * The scopes the topology requires on `method path` of `service` for calls made on a user's behalf, or
 * undefined when no `user` call reaches that route. Two user calls to one route must agree (checked here).
 */
export function userRouteScopes(
  topology: Topology,
  service: string,
  method: HttpMethod,
  path: string,
): readonly string[] | undefined {
  const declared = topology.calls
    .filter((call) => call.to === service && call.as === 'user')
    .flatMap((call) => call.routes)
    .filter((route) => route.method === method && route.path === path)
    .map((route) => [...(route.scopes ?? [])].sort().join(' '));
  const [first] = declared;
  if (first === undefined) return undefined;
  if (declared.some((scopes) => scopes !== first)) {
    throw new TopologyError(
      'invalid_route',
      `${service}: callers of ${method} ${path} declare different scopes`,
    );
  }
  return first === '' ? [] : first.split(' ');
}
