// Maps failures of the token exchange and of payments to the answers orders gives its client: generic,
// retryable, and without upstream details (status codes, addresses, payments' error codes stay in the log).
import { AppError } from '@airlock/service-kit';
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

/** The AppError for a failed payment step; unknown errors stay unknown (500) after being logged. */
export function paymentFailure(error: unknown, logger: Logger, context: Record<string, unknown>): unknown {
  if (error instanceof TokenExchangeError || error instanceof PaymentsClientError) {
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
    return unavailable
      ? new AppError({
          status: 503,
          code: 'payment_unavailable',
          expose:
            'Payment is temporarily unavailable; nothing was charged twice. Retry with the same Idempotency-Key.',
          headers: { 'Retry-After': '1' },
        })
      : new AppError({
          status: 502,
          code: 'payment_failed',
          expose: 'The payment could not be completed. Retry with the same Idempotency-Key.',
        });
  }
  return error;
}
