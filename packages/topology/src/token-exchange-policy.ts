// Derives who may exchange which token for which audience at auth (RFC 8693), from the `user` calls.
// Auth enforces exactly these rules; anything not listed is refused.
import type { Topology } from './model.js';
import { edgeService } from './lookup.js';
import { scopesOfAudience } from './audience-scopes.js';

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
                },
              };
        return call.from === edge
          ? {
              requester: call.from,
              subjectToken: 'client_access_token',
              audience: call.to,
              scopes,
              ...binding,
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
