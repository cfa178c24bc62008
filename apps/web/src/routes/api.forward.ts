// /bff/api/...: the shop's API calls, forwarded to the gateway's /api/... with the session's opaque token. Only
// the routes listed here exist; the page never sees a token, only the API's answer (status, type, body).
import express from 'express';
import type { RequestHandler } from 'express';
import { MAX_UPLOAD_BYTES as TOPOLOGY_MAX_UPLOAD_BYTES } from '@airlock/topology';
import type { RouteSpec } from '@airlock/topology';
import { AppError, serviceUnavailable } from '@airlock/service-kit';

import { edge, service, topology } from '../service.js';
import { WebError } from '../web-error.js';
import type { RouteDeps, WebRoute } from './web-route.js';

/** The BFF's API prefix; the rest of the path is the gateway's `/api/...` path. */
export const BFF_PREFIX = '/bff';
/** The gateway's own body limit for routes to web (its default): larger bodies never get here. */
export const MAX_BODY_BYTES = 64 * 1024;
/** The routes the topology marks as uploads (`upload`) take an image: image-processor's own limit, as at the gateway. */
export const MAX_UPLOAD_BYTES = TOPOLOGY_MAX_UPLOAD_BYTES;

/** The API routes the shop uses, as the gateway names them: web's `user` calls to the edge in the topology. */
export const SHOP_API_ROUTES: readonly RouteSpec[] = topology.calls
  .filter((call) => call.from === service.name && call.to === edge.name && call.as === 'user')
  .flatMap((call) => call.routes);

/** Request types the API accepts (orders: JSON; image-processor: raw images); anything else is not forwarded. */
const FORWARDED_TYPES = new Set(['application/json', 'image/png', 'image/jpeg', 'image/webp']);

function signedOut(): AppError {
  return new AppError({ status: 401, code: 'signed_out', expose: 'Sign in to continue.' });
}

export function apiRoutes(deps: Pick<RouteDeps, 'signedIn' | 'api'>): WebRoute[] {
  const body = express.raw({ type: () => true, limit: MAX_BODY_BYTES });
  const upload = express.raw({ type: () => true, limit: MAX_UPLOAD_BYTES });
  return SHOP_API_ROUTES.map(({ method, path, upload: isUpload }) => {
    const forward: RequestHandler = async (req, res) => {
      const current = deps.signedIn.of(req);
      if (current === undefined) throw signedOut();
      const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      const idempotencyKey = req.get('idempotency-key');
      const payload = Buffer.isBuffer(req.body) ? req.body : undefined;
      let answer;
      try {
        answer = await deps.api.forward(current, {
          method,
          // The matched path with its ids, minus the BFF prefix: `/bff/api/orders/1` -> `/api/orders/1`.
          path: req.path.slice(BFF_PREFIX.length),
          ...(type !== undefined && FORWARDED_TYPES.has(type) ? { contentType: type } : {}),
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
          ...(payload === undefined ? {} : { body: payload }),
        });
      } catch (error) {
        if (error instanceof WebError) throw serviceUnavailable(undefined, error);
        throw error;
      }
      if (answer === 'signed_out') throw signedOut();
      res.status(answer.status);
      if (answer.contentType !== undefined) res.setHeader('Content-Type', answer.contentType);
      if (answer.idempotentReplayed !== undefined)
        res.setHeader('Idempotent-Replayed', answer.idempotentReplayed);
      res.end(answer.body);
    };
    return {
      method,
      path: `${BFF_PREFIX}${path}`,
      handlers: method === 'GET' ? [forward] : [isUpload === true ? upload : body, forward],
    };
  });
}
