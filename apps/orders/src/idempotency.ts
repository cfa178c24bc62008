// The key orders sends on to payments, derived from the client's Idempotency-Key (read by service-kit).
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_HEADER } from '@airlock/service-kit';
import type { RouteContract } from '@airlock/service-kit/api-contract';

/** The client's key as the paying and refunding routes' contracts describe it. */
export const idempotencyKeyHeaders: RouteContract['headers'] = {
  [IDEMPOTENCY_KEY_HEADER]: {
    description: '8 to 128 characters [A-Za-z0-9_-]; a retry replays the result.',
    required: true,
  },
};

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
