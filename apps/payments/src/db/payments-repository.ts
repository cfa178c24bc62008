// Charges, refunds and idempotency records in payments' database. Every money-moving operation runs inside
// one BEGIN IMMEDIATE transaction together with its idempotency record, so "exactly once" is a property of
// the database (write lock + primary key + UNIQUE(order_id)), not of how requests happen to be scheduled.
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

import { immediateTransaction, integerColumn, textColumn } from '@airlock/service-kit/sqlite';
import type { Row } from '@airlock/service-kit/sqlite';

export interface Charge {
  readonly id: string;
  readonly userSub: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentMethod: string;
  readonly status: 'succeeded';
  readonly refundedAmount: number;
  readonly createdAt: string;
}

export interface Refund {
  readonly id: string;
  readonly chargeId: string;
  readonly amount: number;
  readonly requestedBy: string;
  readonly createdAt: string;
}

export interface NewCharge {
  readonly userSub: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentMethod: string;
}

/** The answer to a request, as recorded for its idempotency key. */
export interface RecordedResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotentOutcome =
  | { readonly kind: 'fresh'; readonly response: RecordedResponse }
  | { readonly kind: 'replayed'; readonly response: RecordedResponse }
  | { readonly kind: 'key_reused' };

export interface IdempotencyScope {
  /** The user on whose behalf the request is made (`sub`): keys never collide across users. */
  readonly userSub: string;
  readonly key: string;
  /** Hash of the route and the validated request; a different hash under the same key is a reuse. */
  readonly requestHash: string;
}

// SQLite result code family for constraint violations (SQLITE_CONSTRAINT and its extended codes).
const SQLITE_CONSTRAINT = 19;

export class PaymentsRepository {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Runs `work` at most once per (user, key): inside one write transaction it either replays the recorded
   * response, reports a reuse with a different request, or runs `work` and records its response. If `work`
   * throws, everything rolls back and nothing is recorded, so the client may retry with the same key.
   */
  runIdempotent(scope: IdempotencyScope, work: () => RecordedResponse): IdempotentOutcome {
    try {
      return immediateTransaction(this.#db, () => this.#runIdempotentIn(scope, work));
    } catch (error) {
      // Only reachable if another process wrote the same key or order between our reads and writes, which the
      // IMMEDIATE lock rules out; if it ever happens the constraint refused the duplicate, and re-running
      // the transaction sees the winner's record and replays it.
      if (!isConstraintViolation(error)) throw error;
      return immediateTransaction(this.#db, () => this.#runIdempotentIn(scope, work));
    }
  }

  findChargeByOrder(orderId: string): Charge | undefined {
    const row = this.#db.prepare('SELECT * FROM charges WHERE order_id = ?').get(orderId);
    return row === undefined ? undefined : toCharge(row);
  }

  findCharge(id: string): Charge | undefined {
    const row = this.#db.prepare('SELECT * FROM charges WHERE id = ?').get(id);
    return row === undefined ? undefined : toCharge(row);
  }

  insertCharge(charge: NewCharge, now: Date): Charge {
    const created: Charge = {
      id: `ch_${randomUUID()}`,
      ...charge,
      status: 'succeeded',
      refundedAmount: 0,
      createdAt: now.toISOString(),
    };
    this.#db
      .prepare(
        `INSERT INTO charges (id, user_sub, order_id, amount, currency, payment_method, status, refunded_amount, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        created.id,
        created.userSub,
        created.orderId,
        created.amount,
        created.currency,
        created.paymentMethod,
        created.status,
        created.refundedAmount,
        created.createdAt,
      );
    return created;
  }

  /** Records a refund and raises the charge's refunded amount; the CHECK constraint caps it at the charge. */
  insertRefund(charge: Charge, amount: number, requestedBy: string, now: Date): Refund {
    const refund: Refund = {
      id: `re_${randomUUID()}`,
      chargeId: charge.id,
      amount,
      requestedBy,
      createdAt: now.toISOString(),
    };
    this.#db
      .prepare('INSERT INTO refunds (id, charge_id, amount, requested_by, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(refund.id, refund.chargeId, refund.amount, refund.requestedBy, refund.createdAt);
    this.#db
      .prepare('UPDATE charges SET refunded_amount = refunded_amount + ? WHERE id = ?')
      .run(amount, charge.id);
    return refund;
  }

  countCharges(): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM charges').get();
    return row === undefined ? 0 : integerColumn(row, 'n');
  }

  #runIdempotentIn(scope: IdempotencyScope, work: () => RecordedResponse): IdempotentOutcome {
    const recorded = this.#db
      .prepare('SELECT * FROM idempotency_records WHERE user_sub = ? AND idempotency_key = ?')
      .get(scope.userSub, scope.key);
    if (recorded !== undefined) {
      if (textColumn(recorded, 'request_hash') !== scope.requestHash) return { kind: 'key_reused' };
      return {
        kind: 'replayed',
        response: {
          status: integerColumn(recorded, 'response_status'),
          body: JSON.parse(textColumn(recorded, 'response_body')) as unknown,
        },
      };
    }
    const response = work();
    this.#db
      .prepare(
        `INSERT INTO idempotency_records (user_sub, idempotency_key, request_hash, response_status, response_body, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        scope.userSub,
        scope.key,
        scope.requestHash,
        response.status,
        JSON.stringify(response.body),
        new Date().toISOString(),
      );
    return { kind: 'fresh', response };
  }
}

function toCharge(row: Row): Charge {
  const status = textColumn(row, 'status');
  if (status !== 'succeeded') throw new TypeError('column "status" has an unknown value');
  return {
    id: textColumn(row, 'id'),
    userSub: textColumn(row, 'user_sub'),
    orderId: textColumn(row, 'order_id'),
    amount: integerColumn(row, 'amount'),
    currency: textColumn(row, 'currency'),
    paymentMethod: textColumn(row, 'payment_method'),
    status,
    refundedAmount: integerColumn(row, 'refunded_amount'),
    createdAt: textColumn(row, 'created_at'),
  };
}

function isConstraintViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !('errcode' in error) || typeof error.errcode !== 'number') return false;
  // Extended result codes keep the primary code in the low byte (SQLITE_CONSTRAINT_UNIQUE = 2067 = 19 | 8<<8).
  return (error.errcode & 0xff) === SQLITE_CONSTRAINT;
}
