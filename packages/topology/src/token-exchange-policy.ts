// Derives who may exchange which token for which audience at auth (RFC 8693), from the `user` calls.
// Auth enforces exactly these rules; anything not listed is refused.
import type { Topology } from './model.js';
import { edgeService } from './lookup.js';
import { scopesOfAudience } from './audience-scopes.js';
import { TopologyError } from './topology-error.js';
import { intentsConveyedTo } from './user-intent.js';

export type TokenExchangeRule = (
  | {
      /** The gateway trades a client's opaque access token for a JWT addressed to one service. */
      readonly requester: string;
      readonly subjectToken: 'client_access_token';
      readonly audience: string;
    }
  | {
      /** A service trades the JWT it received (audience: itself) for one addressed to its callee. */
      readonly requester: string;
      readonly subjectToken: 'service_access_token';
      readonly subjectAudience: string;
      readonly audience: string;
    }
) & {
  /** The most a token for `audience` may carry: the scopes its routes require (scopesOfAudience). */
  readonly scopes: readonly string[];
  /** Present when every token for `audience` is bound to one of these operations (bindsOperation). */
  readonly binding?: {
    readonly detailsType: string;
    readonly lifetimeSeconds: number;
    readonly operations: readonly string[];
    /** The scopes each operation's route requires: a bound token without them is never minted. */
    readonly operationScopes: Readonly<Record<string, readonly string[]>>;
    /** The type of the user's intent the subject token must carry for the same operation and object. */
    readonly intentType: string;
  };
  /**
   * Present when the edge conveys users' intents to `audience`: a token for it may carry one (and then lives
   * `lifetimeSeconds`), only for these actions, and only with the scopes of the route that conveys it.
   */
  readonly intents?: {
    readonly detailsType: string;
    readonly lifetimeSeconds: number;
    readonly actions: Readonly<Record<string, readonly string[]>>;
  };
};

export function tokenExchangeRules(topology: Topology): TokenExchangeRule[] {
  const edge = edgeService(topology).name;
  return (
    topology.calls
      // A front end calling the edge presents the client's opaque token itself; the edge resolves it.
      .filter((call) => call.as === 'user' && call.to !== edge)
      .map((call): TokenExchangeRule => {
        const scopes = scopesOfAudience(topology, call.to);
        const binding =
          call.bindsOperation === undefined
            ? {}
            : {
                binding: {
                  detailsType: call.bindsOperation.detailsType,
                  lifetimeSeconds: call.bindsOperation.tokenLifetimeSeconds,
                  operations: call.routes.flatMap((route) => route.operation ?? []),
                  operationScopes: Object.fromEntries(
                    call.routes.flatMap((route) =>
                      route.operation === undefined ? [] : [[route.operation, route.scopes ?? []]],
                    ),
                  ),
                  intentType: intentTypeFor(topology, call.from),
                },
              };
        const conveyed = call.from === edge ? intentsConveyedTo(topology, call.to) : undefined;
        const intents =
          conveyed === undefined
            ? {}
            : {
                intents: {
                  detailsType: conveyed.detailsType,
                  lifetimeSeconds: conveyed.tokenLifetimeSeconds,
                  actions: Object.fromEntries(conveyed.routes.map((route) => [route.action, route.scopes])),
                },
              };
        return call.from === edge
          ? {
              requester: call.from,
              subjectToken: 'client_access_token',
              audience: call.to,
              scopes,
              ...binding,
              ...intents,
            }
          : {
              requester: call.from,
              subjectToken: 'service_access_token',
              subjectAudience: call.from,
              audience: call.to,
              scopes,
              ...binding,
            };
      })
  );
}

/** The intents' type the edge conveys to a caller that binds operations (defineTopology checked it conveys some). */
function intentTypeFor(topology: Topology, caller: string): string {
  const conveyed = intentsConveyedTo(topology, caller);
  if (conveyed === undefined) {
    throw new TopologyError('invalid_route', `"${caller}" binds operations but is conveyed no user intent`);
  }
  return conveyed.detailsType;
}
