// POST /orders/:id/pay: pays one of the user's orders through payments. Orders exchanges the user's token
// for one addressed to payments, charges the stored total (never a client-sent amount) under a key derived
// from the order and the client's Idempotency-Key, and marks the order paid only on a confirmed charge.
import { z } from 'zod';
import type { Request, Response } from 'express';
import {
  conflict,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
  jsonBody,
  notFound,
} from '@airlock/service-kit';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { CHARGE_PATH, paymentOperation } from '../clients/payment-operation.js';
import { derivePaymentsKey, idempotencyKeyHeaders } from '../idempotency.js';
import { orderView, orderViewSchema } from '../order-view.js';
import { failureReason, paymentFailure } from '../payment-errors.js';
import { bearerTokenOf, orderIdOf, parseQuery, requireEmptyBody } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';
import { auditNotOwner } from '../route-deps.js';

const ROUTE = 'POST /orders/:id/pay';
/** The scope the exchanged token asks for: paying needs no more than ordering did. */
export const PAYMENTS_CHARGE_SCOPE = 'orders';

export const payOrderContract: RouteContract = {
  method: 'POST',
  path: '/orders/:id/pay',
  summary: 'Pays the order’s stored total through payments, once per Idempotency-Key.',
  query: z.strictObject({}),
  headers: idempotencyKeyHeaders,
  body: { contentTypes: ['application/json'], schema: z.strictObject({}), required: false },
  responses: {
    200: {
      description: 'The paid order (`Idempotent-Replayed: true` when it replays an earlier result).',
      schema: orderViewSchema,
    },
  },
  errors: {
    400: 'A missing or malformed Idempotency-Key, a query parameter or a body field.',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
    404: 'No such order of this user.',
    409: 'The order is already paid.',
    413: 'The body is larger than 1 KiB.',
    415: 'The body is not JSON.',
    502: 'Payments refused or failed the charge.',
    503: 'Payments or auth could not be reached; retry with the same key.',
  },
};

export function payOrderRoute(deps: RouteDeps): ProtectedRoute {
  const { repository, logger } = deps;
  const handler = async (req: Request, res: Response): Promise<void> => {
    const auth = authOf(req);
    parseQuery(z.strictObject({}), req);
    const id = orderIdOf(req);
    const clientKey = idempotencyKeyOf(req);
    requireEmptyBody(req);
    const order = await repository.findOrderOwnedBy(id, auth.sub);
    if (order === undefined) {
      await auditNotOwner(deps, req, ROUTE, id);
      throw notFound();
    }
    const recorded = await repository.findRecordedResult('pay', order.id, clientKey);
    if (recorded !== undefined) {
      res.set(IDEMPOTENT_REPLAYED_HEADER, 'true').status(recorded.status).json(recorded.body);
      return;
    }
    if (order.status !== 'pending_payment') {
      throw conflict('order_already_paid', 'This order has already been paid.');
    }
    const paymentsKey = derivePaymentsKey('pay', order.id, clientKey);
    const attemptId = await repository.startAttempt(
      {
        orderId: order.id,
        kind: 'charge',
        requestedBy: auth.sub,
        idempotencyKey: clientKey,
        paymentsIdempotencyKey: paymentsKey,
        amount: order.total,
      },
      deps.now(),
    );
    let chargeId: string;
    try {
      // Bound to this charge: payments refuses the token for any other order, amount or currency, and twice.
      const operation = paymentOperation(CHARGE_PATH, {
        identifier: order.id,
        amount: order.total,
        currency: order.currency,
      });
      const accessToken = await deps.tokenExchanger.exchange(
        bearerTokenOf(req),
        PAYMENTS_CHARGE_SCOPE,
        operation,
      );
      const charge = await deps.payments.createCharge({
        accessToken,
        idempotencyKey: paymentsKey,
        orderId: order.id,
        amount: order.total,
        currency: order.currency,
        paymentMethod: deps.paymentMethod,
        ...(req.id === undefined ? {} : { requestId: req.id }),
      });
      chargeId = charge.id;
    } catch (error) {
      await repository.failAttempt(attemptId, failureReason(error), deps.now());
      throw paymentFailure(error, logger, { requestId: req.id, orderId: order.id, attemptId });
    }
    const result = await repository.completePayment(
      { orderId: order.id, attemptId, chargeId, clientKey, now: deps.now() },
      (paid) => ({ status: 200, body: orderView(paid) }),
    );
    res.status(result.status).json(result.body);
  };
  return {
    method: 'POST',
    path: '/orders/:id/pay',
    scopes: ['orders'],
    handlers: [jsonBody({ limitBytes: 1024 }), handler],
  };
}
