// POST /refunds: refunds all or part of a charge. Admins only (scope `admin`), through orders (topology).
// A charge is never refunded beyond what was charged: checked here and enforced by a CHECK constraint.
import { z } from 'zod';
import type { Request, Response } from 'express';
import { conflict, jsonBody, notFound } from '@airlock/service-kit';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { operationGuard, operationRefused } from '../bound-operation.js';
import type { PaymentsRepository, Refund } from '../db/payments-repository.js';
import type { UsedTokens } from '../used-tokens.js';
import { requestHash } from '../idempotency.js';
import { MAX_AMOUNT } from '../money.js';
import { readPaymentRequest } from './read-payment-request.js';
import { sendIdempotent } from './send-idempotent.js';

const ROUTE = 'POST /refunds';
const PATH = '/refunds';

const refundBody = z.strictObject({
  chargeId: z.string().regex(/^ch_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  amount: z.number().int().min(1).max(MAX_AMOUNT).optional(),
});

export interface RefundView {
  readonly id: string;
  readonly chargeId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'succeeded';
  readonly createdAt: string;
}

export interface CreateRefundDeps {
  readonly repository: PaymentsRepository;
  readonly now: () => Date;
  readonly usedTokens: UsedTokens;
}

export function createRefundRoute(deps: CreateRefundDeps): ProtectedRoute {
  const { repository, now } = deps;
  const guard = operationGuard('POST', PATH, deps.usedTokens);
  const handler = async (req: Request, res: Response): Promise<void> => {
    const { auth, key, body } = readPaymentRequest(req, refundBody);
    // The token is worth this refund of this charge and nothing else, once (issue 11, finding 7): what the
    // request names is compared now, the amount left and the currency against the charge below.
    const operation = guard.operationOf(auth);
    if (
      operation.identifier !== body.chargeId ||
      (body.amount !== undefined && operation.amount !== body.amount)
    ) {
      throw operationRefused('operation_mismatch');
    }
    guard.spend(auth);
    const outcome = await repository.runIdempotent(
      { userSub: auth.sub, key, requestHash: requestHash(ROUTE, [body.chargeId, body.amount ?? null]) },
      async (tx) => {
        const charge = await tx.findCharge(body.chargeId);
        if (charge === undefined) throw notFound();
        const refundable = charge.amount - charge.refundedAmount;
        if (refundable === 0)
          throw conflict('charge_fully_refunded', 'This charge has been refunded in full.');
        const amount = body.amount ?? refundable;
        guard.requireTerms(operation, {
          identifier: charge.id,
          amount,
          currency: charge.currency,
          order: charge.orderId,
        });
        if (amount > refundable) {
          throw conflict('refund_exceeds_charge', 'The refund is larger than what is left of the charge.');
        }
        const refund = await tx.insertRefund(charge, amount, auth.sub, now());
        return { status: 201, body: refundView(refund, charge.currency) };
      },
    );
    sendIdempotent(res, outcome);
  };
  return {
    method: 'POST',
    path: PATH,
    scopes: ['admin'],
    handlers: [jsonBody({ limitBytes: 4 * 1024 }), handler],
  };
}

function refundView(refund: Refund, currency: string): RefundView {
  return {
    id: refund.id,
    chargeId: refund.chargeId,
    amount: refund.amount,
    currency,
    status: 'succeeded',
    createdAt: refund.createdAt,
  };
}
