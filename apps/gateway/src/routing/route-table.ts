// The gateway's routing table, derived from @airlock/topology at start: an edge prefix picks the service, the
// prefix is rewritten, and the rewritten path must match a route the topology declares for that call. Anything
// else is not reachable: there is no catch-all and no route written here by hand.
import type { CallPrincipal, EdgeRouteSpec, HttpMethod, RouteSpec, Topology } from '@airlock/topology';
import type { UserIntent } from '@airlock/topology';
import { edgeService, INTENT_IDENTIFIER, intentRouteOf } from '@airlock/topology';

export interface RoutePattern {
  readonly method: HttpMethod;
  /** The declared pattern on the callee, e.g. `/orders/:id`. */
  readonly pattern: string;
  /** Per segment: the literal, or undefined for a `:param`. */
  readonly segments: readonly (string | undefined)[];
  /** The public route template for logs and audit lines, e.g. `GET /api/orders/:id` (no ids, no query). */
  readonly label: string;
  /**
   * Set on a route that conveys a user's intent (the topology's `intent`): the edge sends it with a fresh token
   * naming this action on the object of the path's parameter, never with its cached one.
   */
  readonly intent?: RouteIntent;
  /** The topology marks it an upload (`upload`): its body may be up to the upload limit, not the default one. */
  readonly upload: boolean;
}

export interface RouteIntent {
  readonly detailsType: string;
  readonly action: string;
  /** Index of the object's id among the upstream path's segments. */
  readonly parameterIndex: number;
}

export interface EdgeRoute {
  readonly prefix: string;
  readonly upstreamPrefix: string;
  readonly service: string;
  readonly as: EdgeRouteSpec['as'];
  /** The callee's routes reachable through this prefix (those under `upstreamPrefix`). */
  readonly routes: readonly RoutePattern[];
}

export type RouteMatch =
  | {
      readonly kind: 'matched';
      readonly edge: EdgeRoute;
      readonly route: RoutePattern;
      /** The path sent to the upstream: `upstreamPrefix` + the rest of the public path. */
      readonly upstreamPath: string;
      /** The intent the request conveys (its action on the path's object), on a route that conveys one. */
      readonly intent?: UserIntent;
    }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'method_not_allowed'; readonly allow: readonly HttpMethod[] };

export interface RouteTable {
  readonly edges: readonly EdgeRoute[];
  match(method: string, path: string): RouteMatch;
}

/** `/a/b` -> [a, b]; the root path `/` has no segment (and an empty segment matches nothing). */
function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.split('/').slice(1);
}

function compile(route: RouteSpec, edge: EdgeRouteSpec, intent: RouteIntent | undefined): RoutePattern {
  const { method, path: pattern } = route;
  const segments = segmentsOf(pattern).map((segment) => (segment.startsWith(':') ? undefined : segment));
  const label = `${method} ${edge.prefix}${pattern.slice(edge.upstreamPrefix.length)}`;
  const upload = route.upload === true;
  return { method, pattern, segments, label, upload, ...(intent === undefined ? {} : { intent }) };
}

function isUnder(path: string, prefix: string): boolean {
  // The root prefix (the web front end) takes every path; longer prefixes are tried before it.
  if (prefix === '/') return path.startsWith('/');
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The routes of the edge service's declared call `gateway -> service as principal`, under `upstreamPrefix`. */
function routesFor(topology: Topology, from: string, edge: EdgeRouteSpec): RoutePattern[] {
  const principal: CallPrincipal = edge.as;
  return topology.calls
    .filter((call) => call.from === from && call.to === edge.to && call.as === principal)
    .flatMap((call) =>
      call.routes.map((route) => {
        const conveyed = call.conveysIntent === undefined ? undefined : intentRouteOf(route);
        const intent =
          conveyed === undefined || call.conveysIntent === undefined
            ? undefined
            : {
                detailsType: call.conveysIntent.detailsType,
                action: conveyed.action,
                parameterIndex: conveyed.parameterIndex,
              };
        return { route, intent };
      }),
    )
    .filter(({ route }) => isUnder(route.path, edge.upstreamPrefix === '' ? '' : edge.upstreamPrefix))
    .map(({ route, intent }) => compile(route, edge, intent));
}

function matches(route: RoutePattern, segments: readonly string[]): boolean {
  if (route.segments.length !== segments.length) return false;
  for (let index = 0; index < segments.length; index += 1) {
    const expected = route.segments[index];
    const actual = segments[index];
    // A parameter matches one non-empty segment; a literal matches itself exactly (case-sensitive).
    if (actual === undefined || actual === '') return false;
    if (expected !== undefined && expected !== actual) return false;
  }
  return true;
}

export function buildRouteTable(topology: Topology): RouteTable {
  const from = edgeService(topology).name;
  // Longest prefix first, so that a more specific prefix can never be shadowed by a shorter one.
  const edges: EdgeRoute[] = [...topology.edgeRoutes]
    .sort((a, b) => b.prefix.length - a.prefix.length)
    .map((edge) => ({
      prefix: edge.prefix,
      upstreamPrefix: edge.upstreamPrefix,
      service: edge.to,
      as: edge.as,
      routes: routesFor(topology, from, edge),
    }));

  return {
    edges,
    match(method: string, path: string): RouteMatch {
      const edge = edges.find((candidate) => isUnder(path, candidate.prefix));
      if (edge === undefined) return { kind: 'not_found' };
      const upstreamPath = edge.upstreamPrefix + path.slice(edge.prefix.length);
      const segments = segmentsOf(upstreamPath);
      let allow: HttpMethod[] | undefined;
      for (const route of edge.routes) {
        if (!matches(route, segments)) continue;
        if (route.method === method) {
          if (route.intent === undefined) return { kind: 'matched', edge, route, upstreamPath };
          const identifier = segments[route.intent.parameterIndex];
          // An id no intent can name is no object the service has either: the same 404 as an unknown one.
          if (identifier === undefined || !INTENT_IDENTIFIER.test(identifier)) return { kind: 'not_found' };
          const intent: UserIntent = {
            type: route.intent.detailsType,
            actions: [route.intent.action],
            identifier,
          };
          return { kind: 'matched', edge, route, upstreamPath, intent };
        }
        (allow ??= []).push(route.method);
      }
      return allow === undefined
        ? { kind: 'not_found' }
        : { kind: 'method_not_allowed', allow: [...new Set(allow)] };
    },
  };
}
