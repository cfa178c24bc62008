// A user's intent (RFC 9396 authorization details): what a user asked for on one object, as the edge conveys it
// on the one request that asks (`charge` order 42), parsed the same way by the gateway that asks auth for it, by
// auth that signs it and later redeems it for a bound operation, and by the tests. No amount: the user stated none.
import type { HttpMethod, IntentSpec, RouteSpec, Topology } from './model.js';
import { edgeService } from './lookup.js';

/** One action on one object, as a user asked for it. */
export interface UserIntent {
  readonly type: string;
  /** Exactly one action, as the topology names it on the edge's route (`charge`, `refund`). */
  readonly actions: readonly [string];
  /** The object, from the route's one path parameter (an order id). */
  readonly identifier: string;
}

/** A route that conveys an intent: its action, the scopes the route requires, and where the object's id is. */
export interface IntentRoute {
  readonly action: string;
  readonly scopes: readonly string[];
  /** Index of the route's one `:param` among its path segments. */
  readonly parameterIndex: number;
}

/** What a callee's intents are: their type and lifetime, and the routes that convey them. */
export interface ConveyedIntents extends IntentSpec {
  readonly routes: readonly (IntentRoute & { readonly method: HttpMethod; readonly path: string })[];
}

const KEYS = ['actions', 'identifier', 'type'];
const NAME = /^[a-z][a-z0-9_:.-]{0,63}$/;
/** The same alphabet as a bound operation's identifier, so an intent's object can be bound as it is. */
export const INTENT_IDENTIFIER = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The one well-formed detail of an `authorization_details` value that names an intent, or undefined for anything
 * else (not an array, not exactly one detail, a missing, extra or malformed member: an amount is refused too).
 */
export function parseUserIntent(value: unknown): UserIntent | undefined {
  if (!Array.isArray(value) || value.length !== 1) return undefined;
  const [detail] = value as unknown[];
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return undefined;
  const fields = detail as Record<string, unknown>;
  if (Object.keys(fields).sort().join(',') !== KEYS.join(',')) return undefined;
  const { type, actions, identifier } = fields;
  if (typeof type !== 'string' || !NAME.test(type)) return undefined;
  if (!Array.isArray(actions) || actions.length !== 1) return undefined;
  const [action] = actions as unknown[];
  if (typeof action !== 'string' || !NAME.test(action)) return undefined;
  if (typeof identifier !== 'string' || !INTENT_IDENTIFIER.test(identifier)) return undefined;
  return { type, actions: [action], identifier };
}

/** The index of a path's one `:param` segment, or undefined when it has none or several. */
export function parameterIndexOf(path: string): number | undefined {
  const indexes = path
    .split('/')
    .slice(1)
    .flatMap((segment, index) => (segment.startsWith(':') ? [index] : []));
  return indexes.length === 1 ? indexes[0] : undefined;
}

/** The intent a route of the edge's call conveys, or undefined (most routes convey none). */
export function intentRouteOf(route: RouteSpec): IntentRoute | undefined {
  if (route.intent === undefined) return undefined;
  const parameterIndex = parameterIndexOf(route.path);
  if (parameterIndex === undefined) return undefined;
  return { action: route.intent, scopes: route.scopes ?? [], parameterIndex };
}

/** The intents the edge conveys to `service` on the user's behalf, or undefined when it conveys none. */
export function intentsConveyedTo(topology: Topology, service: string): ConveyedIntents | undefined {
  const edge = edgeService(topology).name;
  const call = topology.calls.find(
    (candidate) =>
      candidate.from === edge &&
      candidate.to === service &&
      candidate.as === 'user' &&
      candidate.conveysIntent !== undefined,
  );
  if (call?.conveysIntent === undefined) return undefined;
  const routes = call.routes.flatMap((route) => {
    const intent = intentRouteOf(route);
    return intent === undefined ? [] : [{ ...intent, method: route.method, path: route.path }];
  });
  return { ...call.conveysIntent, routes };
}
