// One request as the pipeline sees it: node's request and response, plus what every step reads of them once.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Made by the gateway for every request (a client's `X-Request-Id` is never used). */
  readonly requestId: string;
  readonly method: string;
  /** The `Origin` header, for CORS. */
  readonly origin: string | undefined;
  /** The TCP peer, the only client address the gateway believes. */
  readonly clientIp: string;
}

export function newExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  return {
    req,
    res,
    requestId: randomUUID(),
    method: req.method ?? 'GET',
    origin: req.headers.origin,
    clientIp: req.socket.remoteAddress ?? 'unknown',
  };
}
