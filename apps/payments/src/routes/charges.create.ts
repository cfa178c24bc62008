// POST /charges: charges an order on behalf of its owner, exactly once per order and per idempotency key.
// Only orders may call it (topology); the user is the token's `sub`.
import { z } from 'zod';
import type { Request, Response } from 'express';
import { conflict, jsonBody } from '@airlock/service-kit';
import type { ProtectedRoute } from '@airlock/service-kit/protected-routes';

import { operationGuard } from '../bound-operation.js';
import type { Charge, PaymentsRepository } from '../db/payments-repository.js';
import { requestHash } from '../idempotency.js';
import { CURRENCIES, MAX_AMOUNT } from '../money.js';
import { readPaymentRequest } from './read-payment-request.js';
import { sendIdempotent } from './send-idempotent.js';
import type { UsedTokens } from '../used-tokens.js';

const ROUTE = 'POST /charges';
const PATH = '/charges';

/** A fake payment-method reference; there is no way to send card data. */
export const PAYMENT_METHOD_PATTERN = /^pm_[a-z0-9_]{1,64}$/;

const chargeBody = z.strictObject({
  orderId: z.uuid(),
  amount: z.number().int().min(1).max(MAX_AMOUNT),
  currency: z.enum(CURRENCIES),
  paymentMethod: z.string().regex(PAYMENT_METHOD_PATTERN),
});

export interface ChargeView {
  readonly id: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'succeeded';
  readonly refundedAmount: number;
  readonly createdAt: string;
}

export function chargeView(charge: Charge): ChargeView {
  return {
    id: charge.id,
    orderId: charge.orderId,
    amount: charge.amount,
    currency: charge.currency,
    status: charge.status,
    refundedAmount: charge.refundedAmount,
    createdAt: charge.createdAt,
  };
}

export interface CreateChargeDeps {
  readonly repository: PaymentsRepository;
  readonly now: () => Date;
  readonly usedTokens: UsedTokens;
}

export function createChargeRoute(deps: CreateChargeDeps): ProtectedRoute {
  const { repository, now } = deps;
  const guard = operationGuard('POST', PATH, deps.usedTokens);
  const handler = async (req: Request, res: Response): Promise<void> => {
    const { auth, key, body } = readPaymentRequest(req, chargeBody);
    // The token is worth this charge of this order and nothing else, once (issue 11, finding 7).
    const operation = guard.operationOf(auth);
    guard.requireTerms(operation, { identifier: body.orderId, amount: body.amount, currency: body.currency });
    guard.spend(auth);
    const outcome = await repository.runIdempotent(
      {
        userSub: auth.sub,
        key,
        requestHash: requestHash(ROUTE, [body.orderId, body.amount, body.currency, body.paymentMethod]),
      },
      async (tx) => {
        const existing = await tx.findChargeByOrder(body.orderId);
        if (existing === undefined) {
          const charge = await tx.insertCharge({ userSub: auth.sub, ...body }, now());
          return { status: 201, body: chargeView(charge) };
        }
        // Another key for an order that is already charged: the same terms get the existing charge (so a
        // client that lost the first answer can never charge twice); other terms are refused.
        if (
          existing.userSub === auth.sub &&
          existing.amount === body.amount &&
          existing.currency === body.currency
        ) {
          return { status: 200, body: chargeView(existing) };
        }
        throw conflict('charge_mismatch', 'This order has already been charged with different terms.');
      },
    );
    sendIdempotent(res, outcome);
  };
  return {
    method: 'POST',
    path: PATH,
    scopes: ['orders'],
    handlers: [jsonBody({ limitBytes: 4 * 1024 }), handler],
  };
}
