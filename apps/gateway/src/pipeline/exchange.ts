// One request as the pipeline sees it: node's request and response, plus what every step reads of them once.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientAddresses } from '../edge/client-address.js';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Made by the gateway for every request (a client's `X-Request-Id` is never used). */
  readonly requestId: string;
  readonly method: string;
  /** The `Origin` header, for CORS. */
  readonly origin: string | undefined;
  /** The client's address as the configured mode derives it (the TCP peer unless a trusted proxy says). */
  readonly clientIp: string;
  /** What every per-client limit counts under: the address, or an IPv6 address's /64. */
  readonly clientKey: string;
}

export function newExchange(req: IncomingMessage, res: ServerResponse, clients: ClientAddresses): Exchange {
  const clientIp = clients.addressOf(req);
  return {
    req,
    res,
    requestId: randomUUID(),
    method: req.method ?? 'GET',
    origin: req.headers.origin,
    clientIp,
    clientKey: clients.keyOf(clientIp),
  };
}
