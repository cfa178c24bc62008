// The forward step: one dispatcher per upstream origin (plus auth's exchange pool, kept apart), each spread over
// every replica the origin's name resolves to (service-kit's createServiceDispatcher); the headers the service
// receives (scrub-headers.ts), and what the answer may carry back (scrubbed headers, Location mapped to public
// paths, bodies of user routes scanned for JWTs: forward.ts).
import { createServiceDispatcher, type AddressResolver, type Logger } from '@airlock/service-kit/core';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from '../config.js';
import type { SecurityHeaders } from '../edge/security-headers.js';
import { forward, type ForwardOutcome } from '../proxy/forward.js';
import { upstreamRequestHeaders } from '../proxy/scrub-headers.js';
import type { EdgeRoute, RouteTable } from '../routing/route-table.js';
import type { Answers } from './answers.js';
import type { ResolvedToken } from './authenticate.js';
import type { Exchange } from './exchange.js';
import type { Routed } from './route-request.js';

export interface UpstreamsOptions {
  readonly config: GatewayConfig;
  readonly routes: RouteTable;
  readonly answers: Answers;
  readonly security: SecurityHeaders;
  readonly logger: Logger;
  /** How upstream host names become replica addresses; defaults to DNS (tests map names to loopback). */
  readonly resolveAddresses?: AddressResolver | undefined;
}

interface Upstream {
  readonly origin: string;
  readonly pool: Dispatcher;
  /** Maps an upstream path in a `Location` back to its public path; undefined drops the header. */
  readonly publicLocation: (location: string) => string | undefined;
}

const noLocation = (): undefined => undefined;
const NO_HEADERS: readonly string[] = [];

function withExtra(headers: string[], extra: readonly string[]): string[] {
  if (extra.length > 0) headers.push(...extra);
  return headers;
}

export class Upstreams {
  /** The pool for token exchanges at auth. */
  readonly authPool: Dispatcher;
  readonly authOrigin: string;
  readonly #byService = new Map<string, Upstream>();
  readonly #pools = new Map<string, Dispatcher>();
  readonly #options: UpstreamsOptions;
  readonly #proto: string;
  readonly #publicHost: string;
  /** Keyed by the cache's own result object: an entry leaves with it. */
  readonly #bearers = new WeakMap<ResolvedToken, string>();

  constructor(options: UpstreamsOptions) {
    const { config, routes } = options;
    this.#options = options;
    this.#proto = config.publicOrigin.protocol.slice(0, -1);
    this.#publicHost = config.publicOrigin.host;
    for (const edge of routes.edges) {
      const origin = config.upstreams[edge.service];
      if (origin === undefined)
        throw new TypeError(`createGateway: no upstream URL configured for "${edge.service}"`);
      let pool = this.#pools.get(origin);
      if (pool === undefined) {
        pool = newPool(origin, options);
        this.#pools.set(origin, pool);
      }
      this.#byService.set(edge.service, { origin, pool, publicLocation: locationMap(routes.edges, edge) });
    }
    const authOrigin = config.upstreams.auth;
    if (authOrigin === undefined) throw new TypeError('createGateway: no upstream URL configured for auth');
    this.authOrigin = authOrigin;
    // Exchanges get a pool of their own: a burst of client traffic to /auth/* never queues the gateway's calls.
    this.authPool = newPool(authOrigin, options);
  }

  /** `extraHeaders`: name, value pairs the gateway itself adds for the service (the signed client address). */
  forward(
    exchange: Exchange,
    routed: Routed,
    token: ResolvedToken | undefined,
    extraHeaders: readonly string[] = NO_HEADERS,
  ): void {
    const { req, res, requestId, origin } = exchange;
    const { answers, security, config, logger } = this.#options;
    const kind = routed.edge.as;
    const upstream = this.#byService.get(routed.edge.service);
    if (upstream === undefined) {
      answers.refuse(exchange, 'internal_error');
      return;
    }
    forward({
      dispatcher: upstream.pool,
      origin: upstream.origin,
      method: routed.route.method,
      path: routed.upstreamPath,
      headers: withExtra(
        upstreamRequestHeaders(req.rawHeaders, kind, {
          requestId,
          clientIp: exchange.clientIp,
          proto: this.#proto,
          host: this.#publicHost,
          authorization: token === undefined ? undefined : this.#authorization(token),
        }),
        extraHeaders,
      ),
      req,
      res,
      body: routed.body,
      timeoutMs: config.upstreamTimeoutMs,
      scrub: { kind, publicLocation: kind === 'user' ? upstream.publicLocation : noLocation },
      extraHeaders: answers.headers(kind, requestId, origin),
      defaultHeaders: kind === 'public' ? security.authDefaults : [],
      scanBody: kind === 'user',
      sendError: (code) => {
        answers.refuse(exchange, code);
      },
      onDone: (outcome: ForwardOutcome) => {
        if (outcome.kind !== 'completed') {
          logger.warn(
            { requestId, route: routed.route.label, code: outcome.code, detail: outcome.detail },
            'forward failed',
          );
        }
      },
    });
  }

  /** `Bearer <JWT>`, built once per cached token rather than per request. */
  #authorization(token: ResolvedToken): string {
    let value = this.#bearers.get(token);
    if (value === undefined) {
      value = `Bearer ${token.jwt}`;
      this.#bearers.set(token, value);
    }
    return value;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values(), this.authPool].map((pool) => pool.close()));
  }
}

/** Location headers of internal services name upstream paths; map them back to the public ones. */
function locationMap(edges: readonly EdgeRoute[], edge: EdgeRoute): (location: string) => string | undefined {
  const siblings = edges.filter((candidate) => candidate.service === edge.service && candidate.as === 'user');
  return (location) => {
    if (!location.startsWith('/') || location.startsWith('//') || !/^[\x21-\x7e]*$/.test(location))
      return undefined;
    for (const sibling of siblings) {
      const up = sibling.upstreamPrefix;
      if (location === up || location.startsWith(`${up}/`) || location.startsWith(`${up}?`)) {
        return sibling.prefix + location.slice(up.length);
      }
    }
    return undefined;
  };
}

/** A plain Pool for an IP literal (the local stack); one pool per replica address for a name (Swarm's dnsrr). */
function newPool(origin: string, { config, resolveAddresses }: UpstreamsOptions): Dispatcher {
  return createServiceDispatcher(origin, {
    ...(resolveAddresses === undefined ? {} : { resolve: resolveAddresses }),
    pool: {
      connections: config.upstreamConnections,
      pipelining: 1,
      connect: { timeout: config.upstreamConnectTimeoutMs },
      headersTimeout: config.upstreamTimeoutMs,
      bodyTimeout: config.upstreamTimeoutMs,
      keepAliveTimeout: 4_000,
    },
  });
}
