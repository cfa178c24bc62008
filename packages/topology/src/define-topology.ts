// Validates a topology description once, at import time, so that a broken policy fails loudly
// before any network, allowlist or token-exchange rule is derived from it.
import type { CallSpec, ServiceSpec, Topology, TopologySpec, ZoneSpec } from './model.js';
import { edgeEntryAmong } from './lookup.js';
import { admissionNetworkName } from './networks.js';
import { storeInstancesOf } from './stores.js';
import { TopologyError } from './topology-error.js';
import { parameterIndexOf } from './user-intent.js';

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;
const PATH_PATTERN = /^(\/[A-Za-z0-9._~:-]+)+$|^\/$/;
const PREFIX_PATTERN = /^(\/[a-z0-9-]+)+$/;
const SCOPE_PATTERN = /^[a-z][a-z0-9_:.-]{0,63}$/;
/** A token bound to one operation lives for that call and its retry, never as long as an ordinary one. */
const MAX_BOUND_TOKEN_SECONDS = 60;
/** The root prefix routes everything no longer prefix takes (a web front end); only to the same root upstream. */
const ROOT_PREFIX = '/';

export function defineTopology(spec: TopologySpec): Topology {
  const zones = indexZones(spec.zones);
  const services = indexServices(spec.services, zones);
  checkEdge(spec, zones);
  checkAdmits(spec, zones, services);
  const entry = edgeEntry(spec, zones);
  checkSandboxIsolation(spec, zones, entry);
  for (const call of spec.calls) checkCall(call, zones, services, entry);
  checkEdgeRoutes(spec, services, entry);
  checkIntents(spec, entry);
  const topology: Topology = { ...spec, validated: true };
  checkStores(topology, zones, services);
  return topology;
}

const STORE_ENGINES: ReadonlySet<string> = new Set(['postgresql', 'redis']);

/** Stores name real users, each once; their instances and data networks take no name a service or zone has. */
function checkStores(
  topology: Topology,
  zones: Map<string, ZoneSpec>,
  services: Map<string, ServiceSpec>,
): void {
  const stores = topology.stores ?? [];
  const storeNames = new Set<string>();
  for (const store of stores) {
    checkName(store.name, 'store');
    const problem = storeNames.has(store.name)
      ? 'is declared twice'
      : !STORE_ENGINES.has(store.engine)
        ? `has unknown engine "${store.engine}"`
        : !Number.isInteger(store.port) || store.port < 1 || store.port > 65535
          ? `has invalid port ${store.port}`
          : store.usedBy.length === 0 || new Set(store.usedBy).size !== store.usedBy.length
            ? 'must name each of its users once'
            : store.usedBy.find((user) => !services.has(user)) !== undefined
              ? 'names an unknown service as a user'
              : undefined;
    if (problem !== undefined) throw new TopologyError('store_invalid', `store "${store.name}" ${problem}`);
    storeNames.add(store.name);
  }
  const taken = new Set([...services.keys(), ...zones.keys()]);
  for (const instance of storeInstancesOf(topology)) {
    for (const name of [instance.name, instance.network]) {
      if (taken.has(name)) {
        throw new TopologyError(
          'store_invalid',
          `store instance or network "${name}" clashes with another name`,
        );
      }
      taken.add(name);
    }
  }
}

function indexZones(zones: readonly ZoneSpec[]): Map<string, ZoneSpec> {
  const byName = new Map<string, ZoneSpec>();
  for (const zone of zones) {
    checkName(zone.name, 'zone');
    if (byName.has(zone.name))
      throw new TopologyError('duplicate_zone', `zone "${zone.name}" is declared twice`);
    byName.set(zone.name, zone);
  }
  return byName;
}

function indexServices(
  services: readonly ServiceSpec[],
  zones: Map<string, ZoneSpec>,
): Map<string, ServiceSpec> {
  const byName = new Map<string, ServiceSpec>();
  const portOwners = new Map<number, string>();
  for (const service of services) {
    checkName(service.name, 'service');
    if (byName.has(service.name)) {
      throw new TopologyError('duplicate_service', `service "${service.name}" is declared twice`);
    }
    if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65535) {
      throw new TopologyError('invalid_port', `service "${service.name}" has invalid port ${service.port}`);
    }
    const portOwner = portOwners.get(service.port);
    if (portOwner !== undefined) {
      throw new TopologyError(
        'duplicate_port',
        `services "${portOwner}" and "${service.name}" both use port ${service.port}`,
      );
    }
    if (service.zones.length === 0) {
      throw new TopologyError('service_without_zone', `service "${service.name}" lives in no zone`);
    }
    for (const zoneName of service.zones) {
      if (!zones.has(zoneName)) {
        throw new TopologyError('unknown_zone', `service "${service.name}" names unknown zone "${zoneName}"`);
      }
    }
    // The edge service bridges into sandboxes (it is their only way in and their only keys source), so it may
    // join several; every other service, and the edge for enclaves, lives in at most one.
    const atEdge = service.zones.some((zoneName) => zones.get(zoneName)?.kind === 'edge');
    const isolated = service.zones.filter((zoneName) => {
      const zone = zones.get(zoneName);
      return isIsolating(zone) && !(atEdge && zone?.kind === 'sandbox');
    });
    if (isolated.length > 1) {
      throw new TopologyError(
        'multiple_enclaves',
        `service "${service.name}" is in more than one enclave or sandbox: ${isolated.join(', ')}`,
      );
    }
    byName.set(service.name, service);
    portOwners.set(service.port, service.name);
  }
  return byName;
}

function edgeEntry(spec: TopologySpec, zones: Map<string, ZoneSpec>): string {
  const edge = [...zones.values()].find((zone) => zone.kind === 'edge');
  const entry = edgeEntryAmong(
    spec.services.filter((service) => edge !== undefined && service.zones.includes(edge.name)),
  );
  if (entry === undefined) throw new TopologyError('edge_zone_invalid', 'the edge zone holds no service');
  return entry.name;
}

/** A sandboxed service lives in its sandbox alone; only the edge service bridges into a sandbox. */
function checkSandboxIsolation(spec: TopologySpec, zones: Map<string, ZoneSpec>, entry: string): void {
  for (const service of spec.services) {
    if (service.name === entry) continue;
    const inSandbox = service.zones.some((zoneName) => zones.get(zoneName)?.kind === 'sandbox');
    if (inSandbox && service.zones.length > 1) {
      throw new TopologyError(
        'sandbox_not_isolated',
        `service "${service.name}" is in a sandbox and must live in no other zone`,
      );
    }
  }
}

function checkEdge(spec: TopologySpec, zones: Map<string, ZoneSpec>): void {
  const edgeZones = [...zones.values()].filter((zone) => zone.kind === 'edge');
  const [edge] = edgeZones;
  if (edge === undefined || edgeZones.length > 1) {
    throw new TopologyError('edge_zone_invalid', 'a topology has exactly one edge zone');
  }
  // One entry (the gateway, bridging inward); any other member is a front end that lives in the edge alone and
  // is reached only through the entry (a backend-for-frontend), so clients still meet exactly one door.
  const edgeMembers = spec.services.filter((service) => service.zones.includes(edge.name));
  const entry = edgeEntryAmong(edgeMembers);
  const frontEndsAlone = edgeMembers.every((service) => service === entry || service.zones.length === 1);
  if (edgeMembers.length === 0 || entry === undefined || !frontEndsAlone) {
    throw new TopologyError(
      'edge_zone_invalid',
      `edge zone "${edge.name}" must hold exactly one entry; its other members live in the edge alone`,
    );
  }
}

function checkAdmits(
  spec: TopologySpec,
  zones: Map<string, ZoneSpec>,
  services: Map<string, ServiceSpec>,
): void {
  for (const zone of zones.values()) {
    for (const admitted of zone.admits ?? []) {
      // Each admission becomes a network of its own; its name must not be taken by a zone.
      const networkName = admissionNetworkName(zone.name, admitted);
      if (zones.has(networkName)) {
        throw new TopologyError(
          'duplicate_zone',
          `zone "${networkName}" clashes with the network admitting "${admitted}" into "${zone.name}"`,
        );
      }
      if (zone.kind === 'edge') {
        throw new TopologyError('admits_not_allowed', `edge zone "${zone.name}" cannot admit other services`);
      }
      const service = services.get(admitted);
      if (service === undefined) {
        throw new TopologyError(
          'unknown_service',
          `zone "${zone.name}" admits unknown service "${admitted}"`,
        );
      }
      // An admission must be earned by a call: every network membership is a visible, used allowance.
      const used = spec.calls.some(
        (call) => call.from === admitted && services.get(call.to)?.zones.includes(zone.name) === true,
      );
      if (!used) {
        throw new TopologyError(
          'admits_not_allowed',
          `zone "${zone.name}" admits "${admitted}", which calls none of its members`,
        );
      }
    }
  }
}

function checkCall(
  call: CallSpec,
  zones: Map<string, ZoneSpec>,
  services: Map<string, ServiceSpec>,
  entry: string,
): void {
  const caller = services.get(call.from);
  const callee = services.get(call.to);
  if (caller === undefined || callee === undefined) {
    const unknown = caller === undefined ? call.from : call.to;
    throw new TopologyError(
      'unknown_service',
      `call ${call.from} -> ${call.to} names unknown service "${unknown}"`,
    );
  }
  if (caller.name === callee.name) {
    throw new TopologyError('call_to_self', `service "${caller.name}" declares a call to itself`);
  }
  if (call.routes.length === 0) {
    throw new TopologyError('call_without_routes', `call ${call.from} -> ${call.to} lists no routes`);
  }
  for (const route of call.routes) {
    if (!PATH_PATTERN.test(route.path)) {
      throw new TopologyError(
        'invalid_route',
        `call ${call.from} -> ${call.to} has invalid path "${route.path}"`,
      );
    }
    checkRouteScopes(call, route.scopes);
    if (route.upload === true && (route.method === 'GET' || route.method === 'DELETE')) {
      throw new TopologyError(
        'invalid_route',
        `call ${call.from} -> ${call.to}: upload route ${route.method} ${route.path} takes no body`,
      );
    }
  }
  checkOperationBinding(call);
  for (const zoneName of caller.name === entry ? [] : caller.zones) {
    const zone = zones.get(zoneName);
    if (zone?.kind === 'sandbox' && !callee.zones.includes(zoneName)) {
      throw new TopologyError(
        'call_out_of_sandbox',
        `"${caller.name}" is sandboxed in "${zoneName}" and cannot call "${callee.name}" outside it`,
      );
    }
  }
  // The edge network carries calls only between the entry and a front end beside it (gateway <-> web).
  const withEntry = caller.name === entry || callee.name === entry;
  const sharesANetwork = callee.zones.some((zoneName) => {
    const zone = zones.get(zoneName);
    return zone !== undefined && (zone.kind !== 'edge' || withEntry) && isNetworkMember(caller, zone);
  });
  if (!sharesANetwork) {
    throw new TopologyError(
      'call_into_zone_not_admitted',
      `call ${call.from} -> ${call.to}: "${call.from}" is neither in a zone of "${call.to}" nor admitted by one`,
    );
  }
}

function checkEdgeRoutes(spec: TopologySpec, services: Map<string, ServiceSpec>, entry: string): void {
  const prefixes = new Set<string>();
  for (const route of spec.edgeRoutes) {
    const root = route.prefix === ROOT_PREFIX && route.upstreamPrefix === ROOT_PREFIX;
    if (
      !root &&
      (!PREFIX_PATTERN.test(route.prefix) ||
        !(route.upstreamPrefix === '' || PREFIX_PATTERN.test(route.upstreamPrefix)))
    ) {
      throw new TopologyError('edge_route_invalid', `edge route "${route.prefix}" has an invalid prefix`);
    }
    if (prefixes.has(route.prefix)) {
      throw new TopologyError('edge_route_invalid', `edge route "${route.prefix}" is declared twice`);
    }
    prefixes.add(route.prefix);
    if (!services.has(route.to)) {
      throw new TopologyError(
        'unknown_service',
        `edge route "${route.prefix}" names unknown service "${route.to}"`,
      );
    }
    const declared = spec.calls.some(
      (call) => call.from === entry && call.to === route.to && call.as === route.as,
    );
    if (!declared) {
      throw new TopologyError(
        'edge_route_without_call',
        `edge route "${route.prefix}" forwards to "${route.to}" as ${route.as}, but no such call is declared`,
      );
    }
  }
}

/** Scopes belong to user calls (a service's own identity carries none) and are well-formed, each once. */
function checkRouteScopes(call: CallSpec, scopes: readonly string[] | undefined): void {
  if (scopes === undefined) return;
  if (call.as !== 'user') {
    throw new TopologyError(
      'invalid_route',
      `call ${call.from} -> ${call.to} is made as ${call.as}: only user calls name scopes`,
    );
  }
  if (new Set(scopes).size !== scopes.length || !scopes.every((scope) => SCOPE_PATTERN.test(scope))) {
    throw new TopologyError(
      'invalid_route',
      `call ${call.from} -> ${call.to} names malformed or repeated scopes: ${scopes.join(' ')}`,
    );
  }
}

/** A binding belongs to a user call, names a type and a lifetime in seconds, and an operation on every route. */
function checkOperationBinding(call: CallSpec): void {
  const binding = call.bindsOperation;
  const operations = call.routes.map((route) => route.operation);
  if (binding === undefined) {
    if (operations.some((operation) => operation !== undefined)) {
      throw new TopologyError(
        'invalid_route',
        `call ${call.from} -> ${call.to} names route operations but binds none`,
      );
    }
    return;
  }
  const { detailsType, tokenLifetimeSeconds } = binding;
  if (
    call.as !== 'user' ||
    !SCOPE_PATTERN.test(detailsType) ||
    !Number.isInteger(tokenLifetimeSeconds) ||
    tokenLifetimeSeconds < 1 ||
    tokenLifetimeSeconds > MAX_BOUND_TOKEN_SECONDS ||
    operations.some((operation) => operation === undefined || !SCOPE_PATTERN.test(operation)) ||
    new Set(operations).size !== operations.length
  ) {
    throw new TopologyError(
      'invalid_route',
      `call ${call.from} -> ${call.to} binds operations wrongly: a user call, a type, 1 to ${MAX_BOUND_TOKEN_SECONDS} s, one distinct operation per route`,
    );
  }
}

/**
 * Intents: conveyed only by the edge on a user call, each on a route with one path parameter (the object), of a
 * well-formed type and a lifetime in seconds; and every operation a call binds is an intent the edge conveys to
 * that caller, so no bound token can be minted without a user having asked for it.
 */
function checkIntents(spec: TopologySpec, entry: string): void {
  for (const call of spec.calls) {
    const intents = call.routes.flatMap((route) => route.intent ?? []);
    const conveys = call.conveysIntent;
    if (conveys === undefined) {
      if (intents.length > 0) {
        throw new TopologyError(
          'invalid_route',
          `call ${call.from} -> ${call.to} names intents but conveys none`,
        );
      }
      continue;
    }
    if (
      call.from !== entry ||
      call.as !== 'user' ||
      !SCOPE_PATTERN.test(conveys.detailsType) ||
      !Number.isInteger(conveys.tokenLifetimeSeconds) ||
      conveys.tokenLifetimeSeconds < 1 ||
      conveys.tokenLifetimeSeconds > MAX_BOUND_TOKEN_SECONDS ||
      intents.length === 0 ||
      !intents.every((intent) => SCOPE_PATTERN.test(intent)) ||
      new Set(intents).size !== intents.length ||
      call.routes.some((route) => route.intent !== undefined && parameterIndexOf(route.path) === undefined)
    ) {
      throw new TopologyError(
        'invalid_route',
        `call ${call.from} -> ${call.to} conveys intents wrongly: a user call of the edge, a type, 1 to ${MAX_BOUND_TOKEN_SECONDS} s, one distinct intent per route with one path parameter`,
      );
    }
  }
  for (const call of spec.calls) {
    if (call.bindsOperation === undefined) continue;
    const conveyed = new Set(
      spec.calls
        .filter((edgeCall) => edgeCall.from === entry && edgeCall.to === call.from && edgeCall.conveysIntent)
        .flatMap((edgeCall) => edgeCall.routes.flatMap((route) => route.intent ?? [])),
    );
    const unasked = call.routes.flatMap((route) =>
      route.operation === undefined || conveyed.has(route.operation) ? [] : [route.operation],
    );
    if (unasked.length > 0) {
      throw new TopologyError(
        'invalid_route',
        `call ${call.from} -> ${call.to} binds ${unasked.join(', ')}, which no route of ${entry} -> ${call.from} conveys as a user's intent`,
      );
    }
  }
}

/** A network of a zone holds its members and the services it admits. */
export function isNetworkMember(service: ServiceSpec, zone: ZoneSpec): boolean {
  return service.zones.includes(zone.name) || (zone.admits ?? []).includes(service.name);
}

function isIsolating(zone: ZoneSpec | undefined): boolean {
  return zone?.kind === 'enclave' || zone?.kind === 'sandbox';
}

function checkName(name: string, what: 'zone' | 'service' | 'store'): void {
  if (!NAME_PATTERN.test(name)) {
    // Names become Docker network names and host names, so keep them to a safe alphabet.
    throw new TopologyError('invalid_name', `${what} name "${name}" must match ${NAME_PATTERN.source}`);
  }
}
