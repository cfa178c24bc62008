// Forwards one request to its upstream through a pooled undici connection and streams the answer back, with a
// raw dispatch handler: no intermediate streams, and full control of what the client sees. Headers are scrubbed
// (scrub-headers.ts), internal bodies are watched for JWTs (scan-body.ts), and every upstream failure becomes a
// generic 502/503/504 that names neither the upstream nor the library error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { JwtBodyScanner } from './scan-body.js';
import { clientResponseHeaders, type ResponseScrubContext } from './scrub-headers.js';

export type ForwardOutcome =
  | { readonly kind: 'completed'; readonly status: number }
  /** Nothing had been sent: the gateway answered with its own error (the refusal table has its status). */
  | { readonly kind: 'failed'; readonly code: ForwardErrorCode; readonly detail: string }
  /** The response had started when something went wrong; the connection was cut. */
  | { readonly kind: 'cut'; readonly code: ForwardErrorCode; readonly detail: string };

export type ForwardErrorCode =
  | 'bad_gateway'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'upstream_response_rejected'
  | 'payload_too_large'
  | 'client_closed';

/** Request body: none, the request itself (Content-Length framed), or chunked with a byte limit. */
export type RequestBody = 'none' | 'framed' | { readonly chunkedLimit: number };

export interface ForwardOptions {
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Upstream path plus query string. */
  readonly path: string;
  readonly headers: string[];
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly body: RequestBody;
  readonly timeoutMs: number;
  readonly scrub: Omit<ResponseScrubContext, 'status'>;
  /** Headers the gateway adds to every answer (security headers, request id, CORS), as a flat list. */
  readonly extraHeaders: readonly string[];
  /** Headers added only when the upstream did not set them (auth's own Cache-Control and CSP win). */
  readonly defaultHeaders: readonly (readonly [string, string])[];
  /** Only user routes: refuse or cut answers that carry a JWT. */
  readonly scanBody: boolean;
  /** Writes the gateway's own error answer (only called while nothing has been sent). */
  readonly sendError: (code: ForwardErrorCode) => void;
  readonly onDone: (outcome: ForwardOutcome) => void;
}

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

class ClientClosed extends Error {
  override readonly name = 'ClientClosed';
}

class JwtInResponse extends Error {
  override readonly name = 'JwtInResponse';
}

/** Streams a chunked request body, failing once it exceeds `limit` bytes (Content-Length was checked before). */
async function* limitedBody(req: Readable, limit: number): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLarge('request body exceeds the limit');
    yield buffer;
  }
}

function classify(error: Error): ForwardErrorCode {
  if (error instanceof BodyTooLarge) return 'payload_too_large';
  if (error instanceof JwtInResponse) return 'upstream_response_rejected';
  if (error instanceof ClientClosed) return 'client_closed';
  const code = 'code' in error ? error.code : undefined;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'upstream_timeout';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'no_address': // service-kit's ServiceDispatcherError: the name resolves to no replica now
    case 'resolve_failed':
      return 'upstream_unavailable';
    default:
      return 'bad_gateway';
  }
}

class ForwardHandler implements Dispatcher.DispatchHandler {
  readonly #options: ForwardOptions;
  readonly #res: ServerResponse;
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #headers: string[] | undefined;
  #scanner: JwtBodyScanner | undefined;
  #settled = false;
  readonly #onDrain = (): void => {
    this.#controller?.resume();
  };

  constructor(options: ForwardOptions) {
    this.#options = options;
    this.#res = options.res;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#res.destroyed) controller.abort(new ClientClosed('client went away'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // A client that went away is noticed here and at each chunk rather than with a 'close' listener per
    // response (measurably cheaper); an upstream that sends nothing at all is ended by the headers timeout.
    if (this.#res.destroyed) {
      controller.abort(new ClientClosed('client went away'));
      return;
    }
    // Informational answers (100, 103) are not relayed: the client gets exactly one, final, scrubbed head.
    if (statusCode < 200) return;
    const encoding = headers['content-encoding'];
    if (this.#options.scanBody && encoding !== undefined && encoding !== 'identity') {
      // The gateway asked for identity (no Accept-Encoding); an encoded body could hide a JWT from the scan.
      controller.abort(new JwtInResponse('internal service sent an encoded body'));
      return;
    }
    this.#status = statusCode;
    const { kind, publicLocation } = this.#options.scrub;
    this.#headers = clientResponseHeaders(headers, { kind, status: statusCode, publicLocation });
    for (const header of this.#options.extraHeaders) this.#headers.push(header);
    for (const [name, value] of this.#options.defaultHeaders) {
      if (headers[name] === undefined) this.#headers.push(name, value);
    }
    if (this.#options.scanBody) {
      this.#scanner = new JwtBodyScanner();
    } else {
      this.#writeHead();
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#res.destroyed) {
      controller.abort(new ClientClosed('client went away'));
      return;
    }
    if (this.#scanner?.push(chunk) === true) {
      controller.abort(new JwtInResponse('internal service answered with a JWT in its body'));
      return;
    }
    if (this.#headers !== undefined) this.#writeHead();
    if (!this.#res.write(chunk)) {
      controller.pause();
      this.#res.once('drain', this.#onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.#headers !== undefined) this.#writeHead();
    this.#res.end();
    this.#settle({ kind: 'completed', status: this.#status });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const code = classify(error);
    const detail = describe(error);
    if (code === 'client_closed') {
      this.#settle({ kind: 'cut', code, detail });
      return;
    }
    if (this.#res.headersSent) {
      // Too late for a status: cut the connection so the client cannot mistake a partial answer for a whole one.
      this.#res.destroy();
      this.#settle({ kind: 'cut', code, detail });
      return;
    }
    this.#headers = undefined;
    this.#options.sendError(code);
    this.#settle({ kind: 'failed', code, detail });
  }

  #writeHead(): void {
    const headers = this.#headers;
    this.#headers = undefined;
    if (headers !== undefined) this.#res.writeHead(this.#status, headers);
  }

  #settle(outcome: ForwardOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#options.onDone(outcome);
  }
}

/** Library errors name addresses and internals: the log gets the class and code only, never the message. */
function describe(error: Error): string {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return code === undefined ? error.name : `${error.name} ${code}`;
}

export function forward(options: ForwardOptions): void {
  const body =
    options.body === 'none'
      ? null
      : options.body === 'framed'
        ? options.req
        : limitedBody(options.req, options.body.chunkedLimit);
  const handler = new ForwardHandler(options);
  options.dispatcher.dispatch(
    {
      origin: options.origin,
      method: options.method,
      path: options.path,
      headers: options.headers,
      // undici accepts async iterables as bodies; its types only list streams.
      body: body as Readable | null,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    },
    handler,
  );
}
