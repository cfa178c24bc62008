// What every payments route reads first, in this order: the caller (already verified), its idempotency key,
// then a body that carries no card data and fits the route's schema.
import type { Request } from 'express';
import type { z } from 'zod';
import { idempotencyKeyOf, parseBody } from '@airlock/service-kit';
import { authOf } from '@airlock/service-kit/protected-routes';
import type { VerifiedToken } from '@airlock/token-verification';

import { findCardData } from '../card-data.js';

export interface PaymentRequest<Body> {
  readonly auth: VerifiedToken;
  readonly key: string;
  readonly body: Body;
}

export function readPaymentRequest<Schema extends z.ZodType>(
  req: Request,
  schema: Schema,
): PaymentRequest<z.output<Schema>> {
  const auth = authOf(req);
  const key = idempotencyKeyOf(req);
  const cardData = findCardData(req.body);
  if (cardData !== undefined) throw cardData;
  return { auth, key, body: parseBody(schema, req.body) };
}
