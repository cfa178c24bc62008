// CORS preflights are answered by the gateway itself and never forwarded: an allowed origin asking for a
// declared route's method and headers the API reads gets 204 with the CORS headers; anything else is refused.
import type { CorsPolicy } from '../edge/cors.js';
import type { RouteTable } from '../routing/route-table.js';
import type { Answers } from './answers.js';
import { deny, type Decisions } from './decide.js';
import type { Exchange } from './exchange.js';

export interface PreflightOptions {
  readonly cors: CorsPolicy;
  readonly routes: RouteTable;
  readonly decisions: Decisions;
  readonly answers: Answers;
}

export function isPreflight(exchange: Exchange): boolean {
  return exchange.method === 'OPTIONS' && exchange.req.headers['access-control-request-method'] !== undefined;
}

export function answerPreflight(options: PreflightOptions, exchange: Exchange, path: string): void {
  const { cors, routes, decisions } = options;
  const { origin, req } = exchange;
  if (!cors.isAllowed(origin)) {
    decisions.refuse(exchange, deny('cors_origin_denied'));
    return;
  }
  const requested = req.headers['access-control-request-method'] ?? '';
  const match = routes.match(requested, path);
  if (match.kind === 'not_found') {
    decisions.refuse(exchange, deny('not_found'));
    return;
  }
  // A known path with another method, or request headers the API does not read: the browser is told no.
  const headers =
    match.kind === 'matched'
      ? cors.preflightHeaders(origin, [match.route.method], req.headers['access-control-request-headers'])
      : undefined;
  if (match.kind !== 'matched' || headers === undefined) {
    decisions.refuse(exchange, deny('cors_origin_denied'));
    return;
  }
  decisions.allow(exchange, { reason: 'preflight', route: match.route.label }, () => {
    options.answers.preflight(exchange, headers);
  });
}
