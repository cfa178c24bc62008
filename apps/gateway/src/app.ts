// The gateway: a plain node:http request handler (no framework on the hot path) that refuses what it must in
// order of cost, resolves the client's opaque token to a single-audience JWT (cached), and forwards through
// pooled undici connections. `createGateway` wires the pipeline; index.ts listens. One module per step:
//
//   check-request (per-IP limit, path) -> [preflight] -> route-request (404/405, body) -> [public: forward]
//   -> authenticate (bearer 401/400/431, per-token limit, cache / exchange) -> forward-request (scrub, scan)
//
// Cheapest and least trusting first; nothing reaches auth or a service before its checks pass. Every decision
// is one audit line and every refusal comes from one table (pipeline/decide.ts, pipeline/refusals.ts).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { airlockTopology, type Topology } from '@airlock/topology';
import type { AddressResolver, Logger } from '@airlock/service-kit/core';
import { CLIENT_ADDRESS_HEADER } from '@airlock/workload-identity';
import type { AuditSink } from './audit.js';
import type { GatewayConfig } from './config.js';
import { ClientAddresses } from './edge/client-address.js';
import { limitConnections, type ConnectionCounts } from './edge/connection-limits.js';
import { CorsPolicy } from './edge/cors.js';
import { securityHeaders } from './edge/security-headers.js';
import type { TokenCache } from './phantom/token-cache.js';
import { Answers } from './pipeline/answers.js';
import { Authenticator, type Authenticated } from './pipeline/authenticate.js';
import { RequestChecks } from './pipeline/check-request.js';
import { Decisions, type Denial } from './pipeline/decide.js';
import { newExchange, type Exchange } from './pipeline/exchange.js';
import { Upstreams } from './pipeline/forward-request.js';
import { answerPreflight, isPreflight } from './pipeline/preflight.js';
import { Router, type Routed } from './pipeline/route-request.js';
import { buildRouteTable, type RouteTable } from './routing/route-table.js';
import { connectGatewaySharedState } from './shared-state.js';

export { GATEWAY_ERRORS, type GatewayErrorCode } from './pipeline/refusals.js';

export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Signs one private_key_jwt client assertion for auth (a fresh `jti` each call). */
  readonly clientAssertion: () => Promise<string>;
  /**
   * Signs the client's address for auth's login limits (workload-identity's createClientAddressAssertion), sent
   * on public routes as CLIENT_ADDRESS_HEADER. Without it auth counts every client as the gateway.
   */
  readonly clientAddressAssertion?: (address: string) => Promise<string>;
  /** Defaults to Airlock's topology; tests may pass another validated one. */
  readonly topology?: Topology;
  /** Where the one line per decision goes (index.ts: `auditLineSink` on the log destination). */
  readonly audit: AuditSink;
  /** How upstream host names become replica addresses (service-kit's createServiceDispatcher); defaults to DNS. */
  readonly resolveAddresses?: AddressResolver;
  /** Clock in epoch milliseconds for the cache and rate limits; injectable for tests. */
  readonly now?: () => number;
}

export interface Gateway {
  /** The request listener, for `startServer` or `http.createServer`. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** For the server's `clientError` event: malformed requests and oversized heads get a generic answer. */
  readonly onClientError: (error: Error, socket: Duplex) => void;
  /** Caps the server's open connections, in total and per client (config.connections); once per server. */
  readonly limitConnections: (server: Server) => ConnectionCounts;
  readonly routes: RouteTable;
  readonly cache: TokenCache;
  /** Closes the upstream pools. */
  close(): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const routes = buildRouteTable(deps.topology ?? airlockTopology);
  const cors = new CorsPolicy(config.webOrigins);
  const security = securityHeaders({ https: config.publicOrigin.protocol === 'https:' });
  const answers = new Answers({ security, cors, logger });
  const decisions = new Decisions({ audit: deps.audit, answers, onEffectError });
  // Lines decided in the last turn before an exit are still written.
  const flushOnExit = (): void => {
    decisions.flush();
  };
  process.on('exit', flushOnExit);
  const clients = new ClientAddresses(config.clientAddress);
  const checks = new RequestChecks({ config, now });
  const router = new Router(routes, config);
  const upstreams = new Upstreams({
    config,
    routes,
    answers,
    security,
    logger,
    resolveAddresses: deps.resolveAddresses,
  });
  const { authPool, authOrigin } = upstreams;
  const { clientAssertion } = deps;
  const shared = connectGatewaySharedState(config, logger);
  const authenticator = new Authenticator({
    config,
    authPool,
    authOrigin,
    clientAssertion,
    logger,
    now,
    shared,
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const exchange = newExchange(req, res, clients);
    if (checks.isHealthCheck(exchange)) {
      answers.health(exchange);
      return;
    }
    const target = checks.check(exchange);
    if (!target.ok) {
      decisions.refuse(exchange, target);
      return;
    }
    if (isPreflight(exchange)) {
      answerPreflight({ cors, routes, decisions, answers }, exchange, target.path);
      return;
    }
    const routed = router.route(exchange, target);
    if (!routed.ok) {
      decisions.refuse(exchange, routed);
    } else if (routed.edge.as === 'public') {
      decisions.allow(exchange, { reason: 'public_route', route: routed.route.label }, () => {
        forwardPublic(exchange, routed);
      });
    } else {
      const authenticated = authenticator.authenticate(exchange, routed);
      if (authenticated instanceof Promise) {
        authenticated.then(
          (outcome) => {
            forwardAuthenticated(exchange, routed, outcome);
          },
          onEffectError.bind(undefined, exchange),
        );
      } else {
        forwardAuthenticated(exchange, routed, authenticated);
      }
    }
  }

  /**
   * Public routes (auth's) carry the gateway's signed word on the client, and nothing else of it: its client
   * key (the address, or an IPv6 address's /64), so auth's per-client limits count what the gateway's count.
   */
  function forwardPublic(exchange: Exchange, routed: Routed): void {
    const signAddress = deps.clientAddressAssertion;
    if (signAddress === undefined) {
      upstreams.forward(exchange, routed, undefined);
      return;
    }
    // A client-sent x-airlock-* header was dropped by the scrub; this one is the gateway's own.
    signAddress(exchange.clientKey).then(
      (assertion) => {
        upstreams.forward(exchange, routed, undefined, [CLIENT_ADDRESS_HEADER, assertion]);
      },
      (error: unknown) => {
        logger.error({ err: error, requestId: exchange.requestId }, 'client address could not be signed');
        answers.refuse(exchange, 'address_unsigned');
      },
    );
  }

  function forwardAuthenticated(exchange: Exchange, routed: Routed, outcome: Authenticated | Denial): void {
    if (!outcome.ok) {
      decisions.refuse(exchange, outcome);
      return;
    }
    const { resolution } = outcome;
    decisions.allow(exchange, { reason: 'forwarded', route: routed.route.label, resolution }, () => {
      upstreams.forward(exchange, routed, resolution);
    });
  }

  /** A bug must not take the process down or answer with internals. */
  function onEffectError(exchange: Exchange, error: unknown): void {
    logger.error({ err: error, requestId: exchange.requestId }, 'unexpected error in the request handler');
    answers.refuse(exchange, 'internal_error');
  }

  return {
    handle(req, res) {
      try {
        handle(req, res);
      } catch (error) {
        onEffectError(newExchange(req, res, clients), error);
      }
    },
    onClientError: (error, socket) => {
      answers.clientError(error, socket);
    },
    limitConnections: (server) =>
      limitConnections(server, {
        max: config.connections.max,
        maxPerClient: config.connections.maxPerClient,
        clients,
      }),
    routes,
    cache: authenticator.cache,
    async close() {
      process.off('exit', flushOnExit);
      decisions.flush();
      await upstreams.close();
      await shared?.close();
    },
  };
}
