// Decides which headers cross the gateway, in each direction. Two policies, by the kind of edge route:
// - `user` routes (orders, image-processor): allowlists both ways. Internal services read only what is listed
//   here plus what the gateway sets itself (the JWT, the request id, forwarding headers), and clients see only
//   representation headers of the answer: no cookies, no internal auth, no server details.
// - `public` routes (auth): the OAuth server talks to clients in standard headers (Set-Cookie, Location,
//   WWW-Authenticate, Cache-Control), so it gets a blocklist: identity, forwarding, override and hop-by-hop
//   headers are removed, the rest passes.
// Both: hop-by-hop headers (RFC 9110 §7.6.1) and every header the Connection header lists are removed.
import type { IncomingHttpHeaders } from 'node:http';

export type RouteKind = 'user' | 'public';

/** Headers the gateway sets on every forwarded request; whatever the client sent under these names is dropped. */
export interface ForwardingHeaders {
  readonly requestId: string;
  readonly clientIp: string;
  /** `http` or `https`, from the configured public URL, never from the client. */
  readonly proto: string;
  /** The configured public host, never the client's Host header. */
  readonly host: string;
  /** `Bearer <JWT>` on user routes. */
  readonly authorization?: string;
}

// RFC 9110 §7.6.1 and the older names still seen in the wild.
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  // The gateway answers `Expect` itself (node does); the upstream never sees the client's expectation.
  'expect',
  // undici sets the upstream's Host from its origin; the client's Host is never forwarded.
  'host',
]);

/** Request headers an internal service may receive from a client (user routes). Everything else is dropped. */
const USER_REQUEST_ALLOW = new Set([
  'accept',
  'accept-language',
  // node's parser has already enforced it (and refused it next to Transfer-Encoding), so it frames the
  // forwarded body exactly; undici checks the streamed body against it once more.
  'content-length',
  'content-type',
  'content-language',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'idempotency-key',
  'user-agent',
]);

/**
 * Request headers removed on their way to auth (public routes). Exact names, then prefixes. These are the
 * headers some framework, proxy or service trusts as identity, routing or method information.
 */
const PUBLIC_REQUEST_BLOCK = new Set([
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'x-cluster-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-request-id',
  'x-correlation-id',
  'x-rewrite-url',
  'x-host',
  'x-method-override',
  'remote-user',
]);
const PUBLIC_REQUEST_BLOCK_PREFIXES = [
  'x-forwarded-',
  'x-user',
  'x-auth',
  'x-internal',
  'x-original-',
  'x-http-method',
  'x-remote-',
  'x-envoy-',
  'x-amzn-',
  'x-service',
  'x-caller',
  'x-principal',
  'x-airlock',
];

/** Response headers a client may see from an internal service (user routes). */
const USER_RESPONSE_ALLOW = new Set([
  'content-type',
  'content-length',
  'content-language',
  'content-disposition',
  'etag',
  'last-modified',
  'location',
  'retry-after',
  'allow',
  // orders: a replayed idempotent payment or refund says so (apps/orders/README.md).
  'idempotent-replayed',
]);

/** Response headers removed from auth's answers (public routes): server details, CORS (the gateway owns it). */
const PUBLIC_RESPONSE_BLOCK = new Set([
  'server',
  'x-powered-by',
  'via',
  'x-request-id',
  'x-correlation-id',
  'authorization',
  'x-aspnet-version',
  'x-runtime',
  'x-served-by',
  'x-backend-server',
  'x-upstream',
  // The gateway sets its own value (no-store on errors, the upstream's on auth pages).
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
]);
const PUBLIC_RESPONSE_BLOCK_PREFIXES = ['access-control-', 'x-internal', 'x-envoy-', 'x-airlock', 'x-debug'];

const JWT_SHAPE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./;

/** True when a value carries something JWT-shaped (a JWS or JWE compact serialization). */
export function carriesJwt(value: string): boolean {
  return value.includes('eyJ') && JWT_SHAPE.test(value);
}

function hasPrefix(name: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (name.startsWith(prefix)) return true;
  return false;
}

/** Lower-cased names listed in Connection header values (RFC 9110 §7.6.1), or undefined when there are none. */
function connectionListed(values: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (const value of values) {
    // The common value names only a header that is hop-by-hop already: nothing more to remove.
    if (value === 'keep-alive') continue;
    for (const item of value.split(',')) {
      const name = item.trim().toLowerCase();
      if (name !== '') (listed ??= new Set()).add(name);
    }
  }
  return listed;
}

/**
 * The headers of the request to the upstream, as a flat `[name, value, ...]` list for undici. `rawHeaders` is
 * node's raw list, so duplicates are seen one by one and nothing is joined behind our back.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  kind: RouteKind,
  forwarding: ForwardingHeaders,
): string[] {
  const out: string[] = [];
  let connectionValues: string[] | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const rawName = rawHeaders[index];
    if (rawName !== undefined && rawName.length === 10 && rawName.toLowerCase() === 'connection') {
      (connectionValues ??= []).push(rawHeaders[index + 1] ?? '');
    }
  }
  const listed = connectionValues === undefined ? undefined : connectionListed(connectionValues);
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const rawName = rawHeaders[index];
    const value = rawHeaders[index + 1];
    if (rawName === undefined || value === undefined) continue;
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP.has(name) || listed?.has(name) === true) continue;
    if (kind === 'user') {
      if (!USER_REQUEST_ALLOW.has(name)) continue;
    } else if (
      PUBLIC_REQUEST_BLOCK.has(name) ||
      hasPrefix(name, PUBLIC_REQUEST_BLOCK_PREFIXES) ||
      // Auth routes may see the client's Authorization (client_secret_basic); internal routes never do.
      (name === 'authorization' && forwarding.authorization !== undefined)
    ) {
      continue;
    }
    out.push(rawName, value);
  }
  if (forwarding.authorization !== undefined) out.push('authorization', forwarding.authorization);
  out.push(
    'x-request-id',
    forwarding.requestId,
    'x-forwarded-for',
    forwarding.clientIp,
    'x-forwarded-proto',
    forwarding.proto,
    'x-forwarded-host',
    forwarding.host,
  );
  return out;
}

export interface ResponseScrubContext {
  readonly kind: RouteKind;
  readonly status: number;
  /** Maps an upstream path in a user route's Location back to its public path; undefined drops the header. */
  readonly publicLocation: (location: string) => string | undefined;
}

/** What the client may see of the upstream's headers, as a flat `[name, value, ...]` list for `writeHead`. */
export function clientResponseHeaders(headers: IncomingHttpHeaders, context: ResponseScrubContext): string[] {
  const out: string[] = [];
  const connection = headers.connection;
  const listed =
    connection === undefined
      ? undefined
      : connectionListed(Array.isArray(connection) ? connection : [connection]);
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name) === true) continue;
    if (context.kind === 'user') {
      if (!USER_RESPONSE_ALLOW.has(name)) continue;
    } else if (PUBLIC_RESPONSE_BLOCK.has(name) || hasPrefix(name, PUBLIC_RESPONSE_BLOCK_PREFIXES)) {
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      // Nothing JWT-shaped leaves through a header, whatever the header and whoever set it.
      if (carriesJwt(item)) continue;
      if (context.kind === 'user' && name === 'location') {
        const mapped = context.publicLocation(item);
        if (mapped !== undefined) out.push(name, mapped);
        continue;
      }
      out.push(name, item);
    }
  }
  if (context.kind === 'user' && (context.status === 401 || context.status === 403)) {
    // The service's own challenge may name audiences, issuers or reasons; the client gets the gateway's.
    out.push(
      'www-authenticate',
      context.status === 401 ? 'Bearer error="invalid_token"' : 'Bearer error="insufficient_scope"',
    );
  }
  return out;
}
