// Derives who may exchange which token for which audience at auth (RFC 8693), from the `user` calls.
// Auth enforces exactly these rules; anything not listed is refused.
import type { Topology } from './model.js';
import { edgeService } from './lookup.js';

export type TokenExchangeRule =
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
    };

export function tokenExchangeRules(topology: Topology): TokenExchangeRule[] {
  const edge = edgeService(topology).name;
  return (
    topology.calls
      // A front end calling the edge presents the client's opaque token itself; the edge resolves it.
      .filter((call) => call.as === 'user' && call.to !== edge)
      .map((call) =>
        call.from === edge
          ? { requester: call.from, subjectToken: 'client_access_token', audience: call.to }
          : {
              requester: call.from,
              subjectToken: 'service_access_token',
              subjectAudience: call.from,
              audience: call.to,
            },
      )
  );
}
