// CSRF defence of the BFF's state-changing calls, in depth behind the SameSite=Strict cookie: the request must
// carry a custom header (a cross-site form or image cannot set one, and a cross-origin fetch that sets it needs
// a CORS preflight nobody answers) and an Origin equal to the shop's own.
import type { RequestHandler } from 'express';
import { AppError } from '@airlock/service-kit';

/** The header the shop's own scripts send on every BFF call; its value is fixed, its presence is the proof. */
// Not x-airlock-*: the gateway strips that prefix from public routes (it names internal headers).
export const CSRF_HEADER = 'x-csrf';
export const CSRF_HEADER_VALUE = '1';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfRefused(): AppError {
  return new AppError({ status: 403, code: 'csrf_refused', expose: 'The request is not allowed.' });
}

/** Refuses a state-changing request without the custom header or from another origin than `publicOrigin`. */
export function requireSameOriginCall(publicOrigin: URL): RequestHandler {
  const origin = publicOrigin.origin;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    if (req.get(CSRF_HEADER) !== CSRF_HEADER_VALUE || req.get('origin') !== origin) {
      next(csrfRefused());
      return;
    }
    next();
  };
}
