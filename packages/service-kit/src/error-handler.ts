// The last handlers of every service: unknown routes become 404 `not_found`, and every error becomes the one
// envelope. Only AppErrors (and the client errors Express raises) choose their status and message; anything else is a
// 500 with a generic message, and its details go to the log, never to the client.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

import { ERROR_CODE_LOCAL } from './access-log.js';
import { fromLibraryError } from './library-errors.js';
import { AppError, errorBody, errorCodes, methodNotAllowed, notFound } from './errors.js';

const INTERNAL_MESSAGE = 'An internal error occurred.';

// Headers a route may have set for the response it meant to send; they do not describe the error body.
const CONTENT_HEADERS = [
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Range',
  'Location',
];

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(notFound());
};

/** For `router.route(path).get(...).all(methodNotAllowedHandler(['GET', 'HEAD']))`. */
export function methodNotAllowedHandler(allowed: readonly string[]): RequestHandler {
  // Built once, so a bad list fails at start-up rather than on the first request.
  const error = methodNotAllowed(allowed);
  return (_req, _res, next) => {
    next(error);
  };
}

export interface ErrorHandlerOptions {
  readonly logger: Logger;
}

export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  const { logger } = options;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express recognises error handlers by their four parameters.
  return (error: unknown, req, res, _next) => {
    const requestId = req.id;
    const known = error instanceof AppError ? error : fromLibraryError(error);

    if (known === undefined || known.status >= 500) {
      // Server faults: the full error (message, stack, cause) goes to the log with the request id.
      logger.error({ err: error, requestId, method: req.method }, 'request failed');
    }

    if (res.headersSent) {
      // Part of a response is on the wire; the only honest signal left is to cut the connection.
      req.socket.destroy();
      return;
    }

    const status = known?.status ?? 500;
    const code = known?.code ?? errorCodes.internalError;
    const message = known?.expose ?? INTERNAL_MESSAGE;
    res.locals[ERROR_CODE_LOCAL] = code;
    for (const name of CONTENT_HEADERS) res.removeHeader(name);
    if (known !== undefined) {
      for (const [name, value] of Object.entries(known.headers)) res.setHeader(name, value);
    }
    res.status(status).json(errorBody(code, message, requestId));
  };
}
