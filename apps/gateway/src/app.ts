// The gateway: a plain node:http request handler (no framework on the hot path) that refuses what it must in
// order of cost (rate limit, path, route, body, token), resolves the client's opaque token to a single-audience
// JWT (cached), and forwards through pooled undici connections. `createGateway` wires it; index.ts listens.
//
// Order of checks, cheapest and least trusting first; nothing reaches auth or a service before its checks pass:
//   per-IP rate limit -> path normalization -> CORS preflight -> route table (404/405) -> body limits ->
//   [public routes: forward] -> bearer token (401/400/431) -> per-token rate limit -> cache / exchange -> forward
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { airlockTopology, type Topology } from '@airlock/topology';
import { errorBody, type Logger } from '@airlock/service-kit';
import { CLIENT_ADDRESS_HEADER } from '@airlock/workload-identity';
import { Pool } from 'undici';
import type { AuditReason, AuditSink } from './audit.js';
import type { GatewayConfig } from './config.js';
import { CorsPolicy } from './edge/cors.js';
import { RateLimiter } from './edge/rate-limit.js';
import { readBearerToken } from './edge/read-bearer-token.js';
import { securityHeaders } from './edge/security-headers.js';
import { PhantomTokens } from './phantom/phantom-tokens.js';
import { AuthFailure, createTokenResolver, type TokenResolver } from './phantom/resolve-token.js';
import { TokenCache, type Resolution } from './phantom/token-cache.js';
import { forward, type ForwardErrorCode, type ForwardOutcome } from './proxy/forward.js';
import { upstreamRequestHeaders, type RouteKind } from './proxy/scrub-headers.js';
import { normalizeTarget } from './routing/normalize-path.js';
import {
  buildRouteTable,
  type EdgeRoute,
  type RoutePattern,
  type RouteTable,
} from './routing/route-table.js';

export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Signs one private_key_jwt client assertion for auth (a fresh `jti` each call). */
  readonly clientAssertion: () => Promise<string>;
  /**
   * Signs the client's address for auth's login limits (workload-identity's createClientAddressAssertion), sent
   * on public routes as CLIENT_ADDRESS_HEADER. Without it auth counts every client as the gateway (issue 11).
   */
  readonly clientAddressAssertion?: (address: string) => Promise<string>;
  /** Defaults to Airlock's topology; tests may pass another validated one. */
  readonly topology?: Topology;
  /** Where the one line per decision goes (index.ts: `auditLineSink` on the log destination). */
  readonly audit: AuditSink;
  /** Clock in epoch milliseconds for the cache and rate limits; injectable for tests. */
  readonly now?: () => number;
}

export interface Gateway {
  /** The request listener, for `startServer` or `http.createServer`. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** For the server's `clientError` event: malformed requests and oversized heads get a generic answer. */
  readonly onClientError: (error: Error, socket: Duplex) => void;
  readonly routes: RouteTable;
  readonly cache: TokenCache;
  /** Closes the upstream pools. */
  close(): Promise<void>;
}

/** Stable error codes of the gateway's own answers, with the one client-facing message for each. */
export const GATEWAY_ERRORS = {
  invalid_path: 'The request target is not valid.',
  token_in_query: 'Access tokens are accepted only in the Authorization header.',
  uri_too_long: 'The request target is too long.',
  not_found: 'The requested resource was not found.',
  method_not_allowed: 'The method is not allowed for this resource.',
  missing_token: 'Authentication is required.',
  invalid_token: 'Authentication is required.',
  duplicate_authorization: 'The request must carry exactly one Authorization header.',
  token_too_large: 'The access token is too large.',
  headers_too_large: 'The request headers are too large.',
  unexpected_body: 'This method does not accept a request body.',
  payload_too_large: 'The request body is too large.',
  too_many_requests: 'Too many requests; retry later.',
  insufficient_scope: 'The request is not allowed.',
  cors_origin_denied: 'The request is not allowed.',
  bad_request: 'The request could not be understood.',
  service_unavailable: 'The service is temporarily unavailable.',
  upstream_unavailable: 'The service is temporarily unavailable.',
  upstream_timeout: 'The service did not answer in time.',
  bad_gateway: 'The service answered with an error.',
  upstream_response_rejected: 'The service answered with an error.',
  internal_error: 'An unexpected error occurred.',
} as const;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

const UNROUTED = '(unrouted)';
const BEARER_CHALLENGE = 'Bearer realm="airlock"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="airlock", error="invalid_token"';

function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** IPv6 clients are limited per /64 (one host usually owns a whole /64); IPv4 and mapped IPv4 per address. */
function rateKeyOfAddress(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  return address.split(':').slice(0, 4).join(':');
}

function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger } = deps;
  const topology = deps.topology ?? airlockTopology;
  const now = deps.now ?? Date.now;
  const { audit } = deps;
  const routes = buildRouteTable(topology);
  const cors = new CorsPolicy(config.webOrigins);
  const security = securityHeaders({ https: config.publicOrigin.protocol === 'https:' });
  const proto = config.publicOrigin.protocol.slice(0, -1);
  const publicHost = config.publicOrigin.host;

  const pools = new Map<string, Pool>();
  const origins = new Map<string, string>();
  for (const edge of routes.edges) {
    const origin = config.upstreams[edge.service];
    if (origin === undefined)
      throw new TypeError(`createGateway: no upstream URL configured for "${edge.service}"`);
    origins.set(edge.service, origin);
    if (!pools.has(origin)) pools.set(origin, newPool(origin, config));
  }
  const authOrigin = config.upstreams.auth;
  if (authOrigin === undefined) throw new TypeError('createGateway: no upstream URL configured for auth');
  // Exchanges get a pool of their own: a burst of client traffic to /auth/* never queues the gateway's calls.
  const authPool = newPool(authOrigin, config);

  const resolve: TokenResolver = createTokenResolver({
    dispatcher: authPool,
    origin: authOrigin,
    tokenPath: `${new URL(config.issuer).pathname}/token`,
    issuer: config.issuer,
    clientId: 'gateway',
    clientAssertion: deps.clientAssertion,
    timeoutMs: config.authTimeoutMs,
    now,
  });
  const cache = new TokenCache({ ...config.cache, now });
  const phantom = new PhantomTokens({
    issuer: config.issuer,
    cache,
    resolve,
    maxInFlight: config.maxExchangesInFlight,
  });
  const ipLimiter = new RateLimiter({ ...config.rateLimits.perIp, maxKeys: config.rateLimits.maxKeys, now });
  const tokenLimiter = new RateLimiter({
    ...config.rateLimits.perToken,
    maxKeys: config.rateLimits.maxKeys,
    now,
  });

  // Location headers of internal services name upstream paths; map them back to public ones per service.
  const locationMaps = new Map<string, (location: string) => string | undefined>();
  for (const edge of routes.edges) {
    const siblings = routes.edges.filter(
      (candidate) => candidate.service === edge.service && candidate.as === 'user',
    );
    locationMaps.set(edge.service, (location) => {
      if (!location.startsWith('/') || location.startsWith('//') || !/^[\x21-\x7e]*$/.test(location))
        return undefined;
      for (const sibling of siblings) {
        const up = sibling.upstreamPrefix;
        if (location === up || location.startsWith(`${up}/`) || location.startsWith(`${up}?`)) {
          return sibling.prefix + location.slice(up.length);
        }
      }
      return undefined;
    });
  }
  const noLocation = (): undefined => undefined;

  /** Headers on every answer: security headers for the kind of route, the request id, CORS for allowed origins. */
  function answerHeaders(kind: RouteKind, requestId: string, origin: string | undefined): string[] {
    const headers = [...(kind === 'public' ? security.auth : security.api), 'x-request-id', requestId];
    if (cors.isAllowed(origin)) headers.push(...cors.responseHeaders(origin));
    return headers;
  }

  function sendError(
    res: ServerResponse,
    status: number,
    code: GatewayErrorCode,
    requestId: string,
    origin: string | undefined,
    extra: readonly string[] = [],
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(errorBody(code, GATEWAY_ERRORS[code], requestId));
    const headers = answerHeaders('user', requestId, origin);
    headers.push(
      'content-type',
      'application/json; charset=utf-8',
      'content-length',
      String(Buffer.byteLength(body)),
    );
    headers.push(...extra);
    // A refused body may still be arriving; closing the connection is cheaper than reading it to the end.
    if (status === 413 || status === 400 || status === 431) headers.push('connection', 'close');
    res.writeHead(status, headers);
    res.end(body);
  }

  function decide(
    allowed: boolean,
    reason: AuditReason,
    route: string,
    requestId: string,
    resolution?: Resolution,
  ): void {
    audit({
      route,
      allowed,
      reason,
      requestId,
      subject: resolution?.kind === 'resolved' ? resolution.subject : undefined,
      client: resolution?.kind === 'resolved' ? resolution.clientId : undefined,
    });
  }

  function forwardTo(
    req: IncomingMessage,
    res: ServerResponse,
    edge: EdgeRoute,
    route: RoutePattern,
    upstreamPath: string,
    requestId: string,
    clientIp: string,
    bodyLimit: number,
    hasBody: boolean,
    resolution: Extract<Resolution, { kind: 'resolved' }> | undefined,
    extraUpstreamHeaders: readonly string[] = [],
  ): void {
    const origin = req.headers.origin;
    const kind: RouteKind = edge.as;
    const headers = upstreamRequestHeaders(req.rawHeaders, kind, {
      requestId,
      clientIp,
      proto,
      host: publicHost,
      authorization: resolution === undefined ? undefined : `Bearer ${resolution.jwt}`,
    });
    headers.push(...extraUpstreamHeaders);
    const upstreamOrigin = origins.get(edge.service) ?? '';
    const pool = pools.get(upstreamOrigin);
    if (pool === undefined) {
      sendError(res, 500, 'internal_error', requestId, origin);
      return;
    }
    forward({
      dispatcher: pool,
      origin: upstreamOrigin,
      method: route.method,
      path: upstreamPath,
      headers,
      req,
      res,
      body: !hasBody
        ? 'none'
        : req.headers['content-length'] !== undefined
          ? 'framed'
          : { chunkedLimit: bodyLimit },
      timeoutMs: config.upstreamTimeoutMs,
      scrub: {
        kind,
        publicLocation: kind === 'user' ? (locationMaps.get(edge.service) ?? noLocation) : noLocation,
      },
      extraHeaders: answerHeaders(kind, requestId, origin),
      defaultHeaders: kind === 'public' ? security.authDefaults : [],
      scanBody: kind === 'user',
      sendError: (status: number, code: ForwardErrorCode) => {
        sendError(res, status, code === 'client_closed' ? 'bad_request' : code, requestId, origin);
      },
      onDone: (outcome: ForwardOutcome) => {
        if (outcome.kind !== 'completed') {
          logger.warn(
            { requestId, route: route.label, code: outcome.code, detail: outcome.detail },
            'forward failed',
          );
        }
      },
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    const origin = req.headers.origin;
    const method = req.method ?? 'GET';
    const clientIp = req.socket.remoteAddress ?? 'unknown';

    if ((req.url === '/healthz' || req.url === '/readyz') && method === 'GET' && isLoopback(clientIp)) {
      health(res, requestId);
      return;
    }

    const ipDecision = ipLimiter.take(rateKeyOfAddress(clientIp));
    if (!ipDecision.allowed) {
      decide(false, 'rate_limited_ip', UNROUTED, requestId);
      sendError(res, 429, 'too_many_requests', requestId, origin, [
        'retry-after',
        String(ipDecision.retryAfterSeconds),
      ]);
      return;
    }

    const normalized = normalizeTarget(req.url ?? '', config.maxTargetBytes);
    if (!normalized.ok) {
      const { refusal } = normalized;
      decide(
        false,
        refusal.code === 'token_in_query'
          ? 'token_in_query'
          : refusal.status === 414
            ? 'uri_too_long'
            : 'invalid_path',
        UNROUTED,
        requestId,
      );
      sendError(res, refusal.status, refusal.code, requestId, origin);
      return;
    }
    const { path, search } = normalized.target;

    if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      preflight(req, res, path, requestId);
      return;
    }

    const match = routes.match(method, path);
    if (match.kind === 'not_found') {
      decide(false, 'not_found', UNROUTED, requestId);
      sendError(res, 404, 'not_found', requestId, origin);
      return;
    }
    if (match.kind === 'method_not_allowed') {
      decide(false, 'method_not_allowed', UNROUTED, requestId);
      sendError(res, 405, 'method_not_allowed', requestId, origin, ['allow', match.allow.join(', ')]);
      return;
    }
    const { edge, route, upstreamPath } = match;

    const bodyLimit = config.uploadServices.includes(edge.service)
      ? config.maxUploadBytes
      : config.maxBodyBytes;
    const contentLength = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    // node's parser has validated Content-Length (digits only, one value, not next to Transfer-Encoding).
    const hasBody = chunked || (contentLength !== undefined && contentLength !== '0');
    if (hasBody) {
      if (method === 'GET') {
        decide(false, 'unexpected_body', route.label, requestId);
        sendError(res, 400, 'unexpected_body', requestId, origin);
        return;
      }
      if (contentLength !== undefined && Number(contentLength) > bodyLimit) {
        decide(false, 'payload_too_large', route.label, requestId);
        sendError(res, 413, 'payload_too_large', requestId, origin);
        return;
      }
    }

    const forwardPath = upstreamPath + search;
    if (edge.as === 'public') {
      decide(true, 'public_route', route.label, requestId);
      const signAddress = deps.clientAddressAssertion;
      if (signAddress === undefined) {
        forwardTo(req, res, edge, route, forwardPath, requestId, clientIp, bodyLimit, hasBody, undefined);
        return;
      }
      // Any client-sent x-airlock-* header was dropped by the scrub; this one is the gateway's signed word.
      signAddress(clientIp).then(
        (assertion) => {
          forwardTo(req, res, edge, route, forwardPath, requestId, clientIp, bodyLimit, hasBody, undefined, [
            CLIENT_ADDRESS_HEADER,
            assertion,
          ]);
        },
        (error: unknown) => {
          logger.error({ err: error, requestId }, 'client address could not be signed');
          sendError(res, 503, 'service_unavailable', requestId, origin);
        },
      );
      return;
    }

    const bearer = readBearerToken(req.rawHeaders, req.headers.authorization, config.maxTokenLength);
    switch (bearer.kind) {
      case 'missing':
        decide(false, 'missing_token', route.label, requestId);
        sendError(res, 401, 'missing_token', requestId, origin, ['www-authenticate', BEARER_CHALLENGE]);
        return;
      case 'duplicate':
        decide(false, 'duplicate_authorization', route.label, requestId);
        sendError(res, 400, 'duplicate_authorization', requestId, origin, [
          'www-authenticate',
          'Bearer realm="airlock", error="invalid_request"',
        ]);
        return;
      case 'too_large':
        decide(false, 'token_too_large', route.label, requestId);
        sendError(res, 431, 'token_too_large', requestId, origin);
        return;
      case 'malformed':
      case 'jwt_presented':
        decide(
          false,
          bearer.kind === 'malformed' ? 'malformed_token' : 'jwt_presented',
          route.label,
          requestId,
        );
        sendError(res, 401, 'invalid_token', requestId, origin, [
          'www-authenticate',
          INVALID_TOKEN_CHALLENGE,
        ]);
        return;
      case 'token':
        break;
    }

    const tokenHash = PhantomTokens.hashToken(bearer.token);
    const tokenDecision = tokenLimiter.take(tokenHash);
    if (!tokenDecision.allowed) {
      decide(false, 'rate_limited_token', route.label, requestId);
      sendError(res, 429, 'too_many_requests', requestId, origin, [
        'retry-after',
        String(tokenDecision.retryAfterSeconds),
      ]);
      return;
    }

    const audience = edge.service;
    const key = phantom.key(audience, tokenHash);
    const cached = phantom.cached(key);
    if (cached !== undefined) {
      finish(cached);
      return;
    }
    phantom.resolve(key, bearer.token, audience).then(finish, (error: unknown) => {
      const reason: AuditReason = error instanceof AuthFailure ? error.code : 'auth_unreachable';
      logger.error(
        {
          requestId,
          route: route.label,
          reason,
          detail: error instanceof AuthFailure ? error.message : undefined,
        },
        'token resolution failed',
      );
      decide(false, reason, route.label, requestId);
      sendError(res, 503, 'service_unavailable', requestId, origin, ['retry-after', retryAfterSeconds(1000)]);
    });

    function finish(resolution: Resolution): void {
      if (resolution.kind === 'refused') {
        if (resolution.reason === 'insufficient_scope') {
          decide(false, 'insufficient_scope', route.label, requestId);
          sendError(res, 403, 'insufficient_scope', requestId, origin, [
            'www-authenticate',
            'Bearer realm="airlock", error="insufficient_scope"',
          ]);
        } else {
          decide(false, 'token_inactive', route.label, requestId);
          sendError(res, 401, 'invalid_token', requestId, origin, [
            'www-authenticate',
            INVALID_TOKEN_CHALLENGE,
          ]);
        }
        return;
      }
      decide(true, 'forwarded', route.label, requestId, resolution);
      forwardTo(req, res, edge, route, forwardPath, requestId, clientIp, bodyLimit, hasBody, resolution);
    }
  }

  /**
   * Liveness and readiness for the container's own healthcheck, which runs inside the container and so comes
   * from loopback; from anywhere else these paths are not routes (404). Ready means listening with its key
   * loaded: when auth is down the gateway stays up and fails closed per request, which is the point.
   */
  function health(res: ServerResponse, requestId: string): void {
    const body = '{"status":"ok"}';
    res.writeHead(200, [
      ...security.api,
      'x-request-id',
      requestId,
      'content-type',
      'application/json; charset=utf-8',
      'content-length',
      String(body.length),
    ]);
    res.end(body);
  }

  function preflight(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): void {
    const origin = req.headers.origin;
    if (!cors.isAllowed(origin)) {
      decide(false, 'cors_origin_denied', UNROUTED, requestId);
      sendError(res, 403, 'cors_origin_denied', requestId, undefined);
      return;
    }
    const requested = req.headers['access-control-request-method'] ?? '';
    const match = routes.match(requested, path);
    if (match.kind === 'not_found') {
      decide(false, 'not_found', UNROUTED, requestId);
      sendError(res, 404, 'not_found', requestId, origin);
      return;
    }
    const allow = match.kind === 'matched' ? [match.route.method] : match.allow;
    const headers =
      match.kind === 'matched'
        ? cors.preflightHeaders(origin, allow, req.headers['access-control-request-headers'])
        : undefined;
    if (headers === undefined) {
      decide(false, 'cors_origin_denied', UNROUTED, requestId);
      sendError(res, 403, 'cors_origin_denied', requestId, undefined);
      return;
    }
    decide(true, 'preflight', match.kind === 'matched' ? match.route.label : UNROUTED, requestId);
    res.writeHead(204, [...security.api, 'x-request-id', requestId, ...headers, 'content-length', '0']);
    res.end();
  }

  function onClientError(error: Error, socket: Duplex): void {
    const code = 'code' in error ? error.code : undefined;
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = code === 'HPE_HEADER_OVERFLOW';
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = tooLarge ? 431 : timeout ? 408 : 400;
    const errorCode: GatewayErrorCode = tooLarge ? 'headers_too_large' : 'bad_request';
    const requestId = randomUUID();
    const body = JSON.stringify(errorBody(errorCode, GATEWAY_ERRORS[errorCode], requestId));
    const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
    const headers = [
      ...security.api,
      'x-request-id',
      requestId,
      'content-type',
      'application/json; charset=utf-8',
    ];
    for (let index = 0; index < headers.length; index += 2)
      lines.push(`${headers[index] ?? ''}: ${headers[index + 1] ?? ''}`);
    lines.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', body);
    logger.info(
      { requestId, code: typeof code === 'string' ? code : undefined, status },
      'malformed request refused',
    );
    socket.end(lines.join('\r\n'));
  }

  return {
    handle(req, res) {
      try {
        handle(req, res);
      } catch (error) {
        // A bug must not take the process down or answer with internals.
        logger.error({ err: error }, 'unexpected error in the request handler');
        sendError(res, 500, 'internal_error', randomUUID(), undefined);
      }
    },
    onClientError,
    routes,
    cache,
    async close() {
      await Promise.all([...pools.values(), authPool].map((pool) => pool.close()));
    },
  };
}

function newPool(origin: string, config: GatewayConfig): Pool {
  return new Pool(origin, {
    connections: config.upstreamConnections,
    pipelining: 1,
    connect: { timeout: config.upstreamConnectTimeoutMs },
    headersTimeout: config.upstreamTimeoutMs,
    bodyTimeout: config.upstreamTimeoutMs,
    keepAliveTimeout: 4_000,
  });
}
