// Gives every request one id, on `req.id` and in the `X-Request-Id` response header, so a client's report,
// the access log and an error line can be joined. Incoming ids are accepted only from trusted hops.
import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';

declare global {
  // Module augmentation has to use a namespace: this is how Express's own types declare Request.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the `requestId()` middleware, which `createServiceApp` installs first. */
      id?: string;
    }
  }
}

export const REQUEST_ID_HEADER = 'X-Request-Id';

// Long enough not to collide by accident, short and plain enough that it cannot carry a token, a log-injection
// payload or a header split.
const INCOMING_ID_PATTERN = /^[A-Za-z0-9._-]{8,64}$/;

export interface RequestIdOptions {
  /**
   * Accept a well-formed incoming `X-Request-Id`. Only for services whose callers are trusted hops (the gateway
   * and internal services); the gateway passes false so that clients cannot choose ids.
   */
  readonly trustIncoming: boolean;
}

export function requestId(options: RequestIdOptions): RequestHandler {
  if (typeof options.trustIncoming !== 'boolean') {
    throw new TypeError('requestId: option "trustIncoming" must be a boolean');
  }
  const { trustIncoming } = options;
  return (req, res, next) => {
    const incoming = trustIncoming ? req.get(REQUEST_ID_HEADER) : undefined;
    // Node joins repeated headers with ", ", which the pattern rejects: two ids are no id.
    const id = incoming !== undefined && INCOMING_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}
