// One line per request when its response ends: method, path (no query string: it may hold tokens), status,
// duration, request id and the error code if any. Never headers or bodies.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

// Enough to recognise a route; bounds the line whatever path a client sends.
const MAX_PATH_LENGTH = 512;
// Orchestrators probe these every few seconds; a successful probe is logged at debug so it does not bury
// the lines that matter. A failing probe stays at info.
const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const errorCode = getErrorCode(res.locals);
      const path = pathOf(req.originalUrl);
      const level = PROBE_PATHS.has(path) && res.statusCode < 400 ? 'debug' : 'info';
      logger[level](
        {
          requestId: req.id,
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
          ...(errorCode === undefined ? {} : { errorCode }),
          // 'close' without 'finish': the client went away before the response was complete.
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    next();
  };
}

function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  return path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}...` : path;
}

// The error handler records the code it answered with here, so the access line says why a request failed.
export const ERROR_CODE_LOCAL = 'errorCode';

function getErrorCode(locals: Record<string, unknown>): string | undefined {
  const value = locals[ERROR_CODE_LOCAL];
  return typeof value === 'string' ? value : undefined;
}
