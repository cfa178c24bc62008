// Maps failures of the token exchange and of payments to the answers orders gives its client: generic, without
// upstream details (status codes, addresses, payments' error codes stay in the log), and honest about retries:
// only a failure that a retry with the same Idempotency-Key can fix says so.
import { AppError, conflict } from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';

import { PaymentsClientError } from './clients/payments-client.js';
import { TokenExchangeError } from '@airlock/workload-identity';
import type { TokenExchangeErrorCode } from '@airlock/workload-identity';

/** Exchange failures that a retry may get past: auth down, slow or erroring. */
const EXCHANGE_UNAVAILABLE: ReadonlySet<TokenExchangeErrorCode> = new Set([
  'exchange_unreachable',
  'exchange_timeout',
  'exchange_error_status',
]);

/** A short, stable reason for the attempt record and the log. */
export function failureReason(error: unknown): string {
  if (error instanceof TokenExchangeError) return error.code;
  if (error instanceof PaymentsClientError) return error.upstreamCode ?? error.code;
  return 'internal_error';
}

// Payments' refusals that mean the order's state moved under this request (a concurrent refund took what was
// left): the client is told why, as it would have been had the other request finished first.
const REFUND_EXCEEDED = (): AppError =>
  conflict('refund_exceeds_order', 'The refund is larger than what is left of the order.');
const PAYMENTS_CONFLICTS: ReadonlyMap<string, () => AppError> = new Map([
  ['refund_exceeds_charge', REFUND_EXCEEDED],
  ['charge_fully_refunded', REFUND_EXCEEDED],
]);

/** The AppError for a failed payment step; unknown errors stay unknown (500) after being logged. */
export function paymentFailure(error: unknown, logger: Logger, context: Record<string, unknown>): unknown {
  if (!(error instanceof TokenExchangeError) && !(error instanceof PaymentsClientError)) return error;
  logger.warn(
    {
      ...context,
      failure: error.code,
      ...(error instanceof TokenExchangeError && error.oauthError !== undefined
        ? { oauthError: error.oauthError }
        : {}),
      ...(error instanceof PaymentsClientError
        ? { upstreamStatus: error.status, upstreamCode: error.upstreamCode }
        : {}),
    },
    'payment step failed; nothing was changed',
  );
  const unavailable =
    error instanceof TokenExchangeError
      ? EXCHANGE_UNAVAILABLE.has(error.code)
      : error.code === 'payments_unavailable';
  if (unavailable) {
    return new AppError({
      status: 503,
      code: 'payment_unavailable',
      expose:
        'Payment is temporarily unavailable; nothing was charged twice. Retry with the same Idempotency-Key.',
      headers: { 'Retry-After': '1' },
    });
  }
  if (error.code === 'exchange_refused') {
    // Auth would not issue a payments token for this sign-in (revoked, expired, or not allowed): the same
    // request can never succeed, so no retry is suggested.
    return new AppError({
      status: 403,
      code: 'payment_not_authorized',
      expose: 'This sign-in may not make this payment; nothing was charged. Sign in again.',
    });
  }
  const upstreamConflict =
    error instanceof PaymentsClientError && error.upstreamCode !== undefined
      ? PAYMENTS_CONFLICTS.get(error.upstreamCode)
      : undefined;
  if (upstreamConflict !== undefined) return upstreamConflict();
  // An unexpected answer may be a lost success: payments replays it for the same key, so a retry is safe.
  const retry = error.code === 'payments_invalid_response' ? ' Retry with the same Idempotency-Key.' : '';
  return new AppError({
    status: 502,
    code: 'payment_failed',
    expose: `The payment could not be completed.${retry}`,
  });
}
