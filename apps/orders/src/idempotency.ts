// The client's Idempotency-Key header, and the key orders sends on to payments, derived from it.
import { createHash } from 'node:crypto';

import type { Request } from 'express';
import { badRequest } from '@airlock/service-kit';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

// Long enough to be unguessable when random, short and plain enough that it can never carry a header split,
// a log-injection payload or a token.
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

/** The request's key, or 400 `invalid_idempotency_key` when it is missing, repeated or malformed. */
export function idempotencyKeyOf(req: Request): string {
  const value = req.get(IDEMPOTENCY_KEY_HEADER);
  // Node joins repeated headers with ", ", which the pattern refuses: two keys are no key.
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw badRequest(
      'invalid_idempotency_key',
      'An Idempotency-Key header of 8 to 128 characters [A-Za-z0-9_-] is required.',
    );
  }
  return value;
}

/**
 * The key orders sends to payments for one operation on one order under one client key. Deterministic, so a
 * retry with the same client key reuses it and payments replays instead of charging again; bound to the
 * order, so one client key used on two orders can never collide at payments. A hash keeps it fixed-length
 * and free of delimiter ambiguity (43 base64url characters).
 */
export function derivePaymentsKey(operation: 'pay' | 'refund', orderId: string, clientKey: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['airlock-orders', operation, orderId, clientKey]))
    .digest('base64url');
}
