// POST /admin/orders/:id/refund: an admin refunds all or part of a paid order. Orders exchanges the admin's
// token for one addressed to payments (scope `admin`) and calls payments' refund route on the admin's behalf.
import { z } from 'zod';
import type { Request, Response } from 'express';
import {
  conflict,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
  jsonBody,
  notFound,
  parseBody,
} from '@airlock/service-kit';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { paymentOperation, REFUND_PATH } from '../clients/payment-operation.js';
import { derivePaymentsKey, idempotencyKeyHeaders } from '../idempotency.js';
import { adminOrderView, adminOrderViewSchema } from '../order-view.js';
import { failureReason, paymentFailure } from '../payment-errors.js';
import { bearerTokenOf, orderIdOf, parseQuery } from '../request-input.js';
import type { RouteDeps } from '../route-deps.js';

/** Payments' refund route requires exactly this scope; the exchanged token asks for nothing more. */
export const PAYMENTS_REFUND_SCOPE = 'admin';

export const refundBodyFields = z.strictObject({
  amount: z.number().int().min(1).max(100_000_000).optional(),
});
const refundBody = refundBodyFields.optional();

export const refundResponse = z
  .strictObject({
    refund: z.strictObject({
      id: z.string(),
      amount: z.number().int().min(1),
      currency: z.string().regex(/^[A-Z]{3}$/),
    }),
    order: adminOrderViewSchema,
  })
  .meta({ id: 'Refund' });

export const refundAdminOrderContract: RouteContract = {
  method: 'POST',
  path: '/admin/orders/:id/refund',
  summary: 'Refunds all or part of a paid order (scope `admin`), once per Idempotency-Key.',
  query: z.strictObject({}),
  headers: idempotencyKeyHeaders,
  body: { contentTypes: ['application/json'], schema: refundBodyFields, required: false },
  responses: { 201: { description: 'The refund and the updated order.', schema: refundResponse } },
  errors: {
    400: 'A missing or malformed Idempotency-Key, a query parameter or an invalid body.',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope, or the caller is not allowed.',
    404: 'No such order.',
    409: 'The order is not refundable, or the amount exceeds what is left.',
    413: 'The body is larger than 1 KiB.',
    415: 'The body is not JSON.',
    502: 'Payments refused or failed the refund.',
    503: 'Payments or auth could not be reached; retry with the same key.',
  },
};

export function refundAdminOrderRoute(deps: RouteDeps): ProtectedRoute {
  const { repository, logger } = deps;
  const handler = async (req: Request, res: Response): Promise<void> => {
    const auth = authOf(req);
    parseQuery(z.strictObject({}), req);
    const id = orderIdOf(req);
    const clientKey = idempotencyKeyOf(req);
    const body = parseBody(refundBody, req.body);
    const order = await repository.findOrderForAdmin(id);
    if (order === undefined) throw notFound();
    const recorded = await repository.findRecordedResult('refund', order.id, clientKey);
    if (recorded !== undefined) {
      res.set(IDEMPOTENT_REPLAYED_HEADER, 'true').status(recorded.status).json(recorded.body);
      return;
    }
    const refundable = order.total - order.refundedAmount;
    if (order.chargeId === null || refundable === 0) {
      throw conflict(
        'order_not_refundable',
        'Only a paid order with an amount left to refund can be refunded.',
      );
    }
    const amount = body?.amount ?? refundable;
    if (amount > refundable) {
      throw conflict('refund_exceeds_order', 'The refund is larger than what is left of the order.');
    }
    const paymentsKey = derivePaymentsKey('refund', order.id, clientKey);
    const attemptId = await repository.startAttempt(
      {
        orderId: order.id,
        kind: 'refund',
        requestedBy: auth.sub,
        idempotencyKey: clientKey,
        paymentsIdempotencyKey: paymentsKey,
        amount,
      },
      deps.now(),
    );
    let refund;
    try {
      // Bound to this refund of this charge: payments refuses the token for any other, and twice.
      // It names the order too: the admin's intent names the order, and payments checks the charge is its.
      const operation = paymentOperation(REFUND_PATH, {
        identifier: order.chargeId,
        amount,
        currency: order.currency,
        order: order.id,
      });
      const accessToken = await deps.tokenExchanger.exchange(
        bearerTokenOf(req),
        PAYMENTS_REFUND_SCOPE,
        operation,
      );
      refund = await deps.payments.createRefund({
        accessToken,
        idempotencyKey: paymentsKey,
        chargeId: order.chargeId,
        amount,
        ...(req.id === undefined ? {} : { requestId: req.id }),
      });
    } catch (error) {
      await repository.failAttempt(attemptId, failureReason(error), deps.now());
      throw paymentFailure(error, logger, { requestId: req.id, orderId: order.id, attemptId });
    }
    const confirmed = refund;
    const result = await repository.completeRefund(
      { orderId: order.id, attemptId, refundId: confirmed.id, amount, clientKey, now: deps.now() },
      (updated) => ({
        status: 201,
        body: {
          refund: { id: confirmed.id, amount: confirmed.amount, currency: confirmed.currency },
          order: adminOrderView(updated),
        },
      }),
    );
    res.status(result.status).json(result.body);
  };
  return {
    method: 'POST',
    path: '/admin/orders/:id/refund',
    scopes: ['orders', 'admin'],
    handlers: [jsonBody({ limitBytes: 1024 }), handler],
  };
}
