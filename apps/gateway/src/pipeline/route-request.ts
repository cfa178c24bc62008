// The route step: the route table (404 / 405 with Allow), then the body rules of that route: none on GET,
// and a size limit per service (uploads to image-processor get its own limit), checked on Content-Length
// here and on the bytes of a chunked body while it streams (forward.ts).
import type { GatewayConfig } from '../config.js';
import type { RequestBody } from '../proxy/forward.js';
import type { EdgeRoute, RouteMatch, RoutePattern, RouteTable } from '../routing/route-table.js';
import type { UserIntent } from '@airlock/topology';
import type { CheckedTarget } from './check-request.js';
import { deny, UNROUTED, type Denial } from './decide.js';
import type { Exchange } from './exchange.js';

export interface Routed {
  readonly ok: true;
  readonly edge: EdgeRoute;
  readonly route: RoutePattern;
  /** Upstream path plus the query string. */
  readonly upstreamPath: string;
  readonly body: RequestBody;
  /** What the user asks for with this request, on a route that conveys an intent (route-table.ts). */
  readonly intent?: UserIntent;
}

/** Route decisions remembered per (method, canonical path); cleared when full, so memory stays bounded. */
const MAX_REMEMBERED_ROUTES = 1024;

export class Router {
  readonly #routes: RouteTable;
  readonly #config: GatewayConfig;
  readonly #decided = new Map<string, RouteMatch>();

  constructor(routes: RouteTable, config: GatewayConfig) {
    this.#routes = routes;
    this.#config = config;
  }

  route(exchange: Exchange, target: CheckedTarget): Routed | Denial {
    const { method, req } = exchange;
    const match = this.#match(method, target.path);
    if (match.kind === 'not_found') return deny('not_found');
    if (match.kind === 'method_not_allowed')
      return deny('method_not_allowed', UNROUTED, ['allow', match.allow.join(', ')]);
    const { edge, route } = match;

    const contentLength = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    // node's parser has validated Content-Length (digits only, one value, not next to Transfer-Encoding).
    const hasBody = chunked || (contentLength !== undefined && contentLength !== '0');
    let body: RequestBody = 'none';
    if (hasBody) {
      if (method === 'GET') return deny('unexpected_body', route.label);
      const limit = route.upload ? this.#config.maxUploadBytes : this.#config.maxBodyBytes;
      if (contentLength !== undefined && Number(contentLength) > limit)
        return deny('payload_too_large', route.label);
      body = contentLength !== undefined ? 'framed' : { chunkedLimit: limit };
    }
    const intent = match.intent === undefined ? {} : { intent: match.intent };
    return { ok: true, edge, route, upstreamPath: match.upstreamPath + target.search, body, ...intent };
  }

  /** The table's decision, computed once per (method, path) while it is remembered. */
  #match(method: string, path: string): RouteMatch {
    const key = `${method} ${path}`;
    let match = this.#decided.get(key);
    if (match === undefined) {
      match = this.#routes.match(method, path);
      if (this.#decided.size >= MAX_REMEMBERED_ROUTES) this.#decided.clear();
      this.#decided.set(key, match);
    }
    return match;
  }
}
