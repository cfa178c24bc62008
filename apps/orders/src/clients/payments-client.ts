// Calls payments' charge and refund routes on a user's behalf with the exchanged token, a 2 s deadline and
// the derived idempotency key. Only a well-formed success counts; everything else is a PaymentsClientError,
// and the caller leaves the order as it was.
import type { Dispatcher } from 'undici';
import { REQUEST_ID_HEADER } from '@airlock/service-kit';

import { requestJson } from './http-json.js';
import { CHARGE_PATH, REFUND_PATH } from './payment-operation.js';
import type { JsonResponse } from './http-json.js';

export interface ChargeRequest {
  readonly accessToken: string;
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentMethod: string;
  readonly requestId?: string;
}

export interface ConfirmedCharge {
  readonly id: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
}

export interface RefundRequest {
  readonly accessToken: string;
  readonly idempotencyKey: string;
  readonly chargeId: string;
  readonly amount: number;
  readonly requestId?: string;
}

export interface ConfirmedRefund {
  readonly id: string;
  readonly chargeId: string;
  readonly amount: number;
  readonly currency: string;
}

export interface PaymentsClient {
  createCharge(request: ChargeRequest): Promise<ConfirmedCharge>;
  createRefund(request: RefundRequest): Promise<ConfirmedRefund>;
}

export type PaymentsClientErrorCode =
  'payments_unavailable' | 'payments_refused' | 'payments_invalid_response';

export class PaymentsClientError extends Error {
  override readonly name = 'PaymentsClientError';
  readonly code: PaymentsClientErrorCode;
  readonly status: number | undefined;
  /** Payments' own error code (`charge_mismatch`...), when it sent one; safe to log. */
  readonly upstreamCode: string | undefined;

  constructor(code: PaymentsClientErrorCode, message: string, status?: number, upstreamCode?: string) {
    super(message);
    this.code = code;
    this.status = status;
    this.upstreamCode = upstreamCode;
  }
}

export const DEFAULT_PAYMENTS_TIMEOUT_MS = 2000;
const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;
const CHARGE_ID = /^ch_[0-9a-f-]{36}$/;
const REFUND_ID = /^re_[0-9a-f-]{36}$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export interface PaymentsClientOptions {
  /** Base URL of payments inside the payments enclave, e.g. http://127.0.0.1:8083. */
  readonly baseUrl: URL;
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
}

export function createPaymentsClient(options: PaymentsClientOptions): PaymentsClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PAYMENTS_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new TypeError('createPaymentsClient: option "timeoutMs" must be a positive integer');
  }
  const post = async (
    path: string,
    auth: { accessToken: string; idempotencyKey: string; requestId?: string },
    body: object,
  ): Promise<JsonResponse> => {
    try {
      return await requestJson({
        url: new URL(path, options.baseUrl),
        method: 'POST',
        headers: {
          authorization: `Bearer ${auth.accessToken}`,
          'content-type': 'application/json',
          'idempotency-key': auth.idempotencyKey,
          // Joins orders' and payments' log lines for one user request.
          ...(auth.requestId !== undefined && REQUEST_ID.test(auth.requestId)
            ? { [REQUEST_ID_HEADER]: auth.requestId }
            : {}),
        },
        body: JSON.stringify(body),
        timeoutMs,
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
      });
    } catch {
      throw new PaymentsClientError(
        'payments_unavailable',
        'payments could not be reached or did not answer in time',
      );
    }
  };

  return {
    async createCharge(request: ChargeRequest): Promise<ConfirmedCharge> {
      const response = await post(CHARGE_PATH, request, {
        orderId: request.orderId,
        amount: request.amount,
        currency: request.currency,
        paymentMethod: request.paymentMethod,
      });
      const fields = successFields(response, [200, 201]);
      const charge = {
        id: fields['id'],
        orderId: fields['orderId'],
        amount: fields['amount'],
        currency: fields['currency'],
      };
      // A charge only counts when payments says it succeeded for exactly this order, amount and currency.
      if (
        fields['status'] !== 'succeeded' ||
        typeof charge.id !== 'string' ||
        !CHARGE_ID.test(charge.id) ||
        charge.orderId !== request.orderId ||
        charge.amount !== request.amount ||
        charge.currency !== request.currency
      ) {
        throw invalidResponse(response.status);
      }
      return { id: charge.id, orderId: request.orderId, amount: request.amount, currency: request.currency };
    },

    async createRefund(request: RefundRequest): Promise<ConfirmedRefund> {
      const response = await post(REFUND_PATH, request, {
        chargeId: request.chargeId,
        amount: request.amount,
      });
      const fields = successFields(response, [201]);
      const id = fields['id'];
      const currency = fields['currency'];
      if (
        fields['status'] !== 'succeeded' ||
        typeof id !== 'string' ||
        !REFUND_ID.test(id) ||
        fields['chargeId'] !== request.chargeId ||
        fields['amount'] !== request.amount ||
        typeof currency !== 'string'
      ) {
        throw invalidResponse(response.status);
      }
      return { id, chargeId: request.chargeId, amount: request.amount, currency };
    },
  };
}

function successFields(response: JsonResponse, accepted: readonly number[]): Record<string, unknown> {
  const { status, body } = response;
  if (status >= 500) {
    throw new PaymentsClientError('payments_unavailable', `payments answered ${status}`, status);
  }
  if (!accepted.includes(status)) {
    throw new PaymentsClientError(
      'payments_refused',
      `payments refused with ${status}`,
      status,
      upstreamCode(body),
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidResponse(status);
  return body as Record<string, unknown>;
}

function upstreamCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' && ERROR_CODE.test(error.code) ? error.code : undefined;
}

function invalidResponse(status: number): PaymentsClientError {
  return new PaymentsClientError(
    'payments_invalid_response',
    'payments answered with an unexpected body',
    status,
  );
}
