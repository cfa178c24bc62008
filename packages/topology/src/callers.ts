// Derives the caller allowlists that services enforce on the token layer: which service may call
// which route, and whether it calls on a user's behalf or as itself.
import type { CallPrincipal, HttpMethod, Topology } from './model.js';
import { serviceNamed } from './lookup.js';

export interface AllowedCall {
  readonly caller: string;
  readonly as: CallPrincipal;
  readonly method: HttpMethod;
  readonly path: string;
}

/** Every (caller, route) pair that may reach `service`, in declaration order. */
export function allowedCallsTo(topology: Topology, service: string): AllowedCall[] {
  serviceNamed(topology, service);
  return topology.calls
    .filter((call) => call.to === service)
    .flatMap((call) => call.routes.map((route) => ({ caller: call.from, as: call.as, ...route })));
}

/** The services allowed to call `method path` (an Express-style pattern as declared) on `service`. */
export function callersOfRoute(
  topology: Topology,
  service: string,
  method: HttpMethod,
  path: string,
): string[] {
  const callers = allowedCallsTo(topology, service)
    .filter((call) => call.method === method && call.path === path)
    .map((call) => call.caller);
  return [...new Set(callers)];
}
