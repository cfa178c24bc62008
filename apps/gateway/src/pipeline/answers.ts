// Writes the answers the gateway makes itself (errors, health, preflights, malformed requests) and the headers
// every answer carries: security headers for the kind of route, the request id, CORS for allowed origins.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, type Logger } from '@airlock/service-kit/core';
import type { CorsPolicy } from '../edge/cors.js';
import type { SecurityHeaders } from '../edge/security-headers.js';
import type { RouteKind } from '../proxy/scrub-headers.js';
import type { Exchange } from './exchange.js';
import { closesConnection, GATEWAY_ERRORS, REFUSALS, type Refusal } from './refusals.js';

export interface AnswersOptions {
  readonly security: SecurityHeaders;
  readonly cors: CorsPolicy;
  readonly logger: Logger;
}

export class Answers {
  readonly #security: SecurityHeaders;
  readonly #cors: CorsPolicy;
  readonly #logger: Logger;
  /** The security headers of each kind of route plus the request id's name, built once: per answer, a copy. */
  readonly #publicHead: readonly string[];
  readonly #userHead: readonly string[];

  constructor(options: AnswersOptions) {
    this.#security = options.security;
    this.#cors = options.cors;
    this.#logger = options.logger;
    this.#publicHead = [...options.security.auth, 'x-request-id'];
    this.#userHead = [...options.security.api, 'x-request-id'];
  }

  /** Headers on every answer: security headers for the kind of route, the request id, CORS if allowed. */
  headers(kind: RouteKind, requestId: string, origin: string | undefined): string[] {
    const headers = (kind === 'public' ? this.#publicHead : this.#userHead).slice();
    headers.push(requestId);
    if (this.#cors.isAllowed(origin)) headers.push(...this.#cors.responseHeaders(origin));
    return headers;
  }

  /** The error answer of a refusal, from the refusal table; `extra` adds per-request headers (Allow, ...). */
  refuse(exchange: Exchange, refusal: Refusal, extra: readonly string[] = []): void {
    const { res, requestId } = exchange;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const answer = REFUSALS[refusal];
    const body = JSON.stringify(errorBody(answer.code, GATEWAY_ERRORS[answer.code], requestId));
    // A refused origin gets no CORS headers at all.
    const origin = refusal === 'cors_origin_denied' ? undefined : exchange.origin;
    const headers = this.headers('user', requestId, origin);
    headers.push(
      'content-type',
      'application/json; charset=utf-8',
      'content-length',
      String(Buffer.byteLength(body)),
    );
    if (answer.challenge !== undefined) headers.push('www-authenticate', answer.challenge);
    if (answer.retryAfter !== undefined) headers.push('retry-after', answer.retryAfter);
    headers.push(...extra);
    if (closesConnection(answer.status)) headers.push('connection', 'close');
    res.writeHead(answer.status, headers);
    res.end(body);
  }

  /**
   * Liveness and readiness for the container's own healthcheck, which runs inside the container and so comes
   * from loopback; from anywhere else these paths are not routes (404). Ready means listening with its key
   * loaded: when auth is down the gateway stays up and fails closed per request, which is the point.
   */
  health(exchange: Exchange): void {
    const body = '{"status":"ok"}';
    exchange.res.writeHead(200, [
      ...this.#security.api,
      'x-request-id',
      exchange.requestId,
      'content-type',
      'application/json; charset=utf-8',
      'content-length',
      String(body.length),
    ]);
    exchange.res.end(body);
  }

  /** The gateway's own answer to an allowed CORS preflight. */
  preflight(exchange: Exchange, corsHeaders: readonly string[]): void {
    exchange.res.writeHead(204, [
      ...this.#security.api,
      'x-request-id',
      exchange.requestId,
      ...corsHeaders,
      'content-length',
      '0',
    ]);
    exchange.res.end();
  }

  /** For the server's `clientError` event: what node's parser refused gets a generic answer on the raw socket. */
  clientError(error: Error, socket: Duplex): void {
    const code = 'code' in error ? error.code : undefined;
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal: Refusal =
      code === 'HPE_HEADER_OVERFLOW'
        ? 'head_too_large'
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request_timeout'
          : 'malformed_request';
    const answer = REFUSALS[refusal];
    const requestId = randomUUID();
    const body = JSON.stringify(errorBody(answer.code, GATEWAY_ERRORS[answer.code], requestId));
    const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`];
    const headers = [
      ...this.#security.api,
      'x-request-id',
      requestId,
      'content-type',
      'application/json; charset=utf-8',
    ];
    for (let index = 0; index < headers.length; index += 2)
      lines.push(`${headers[index] ?? ''}: ${headers[index + 1] ?? ''}`);
    lines.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', body);
    this.#logger.info(
      { requestId, code: typeof code === 'string' ? code : undefined, status: answer.status },
      'malformed request refused',
    );
    socket.end(lines.join('\r\n'));
  }
}
