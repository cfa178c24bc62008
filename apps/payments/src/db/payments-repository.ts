// Charges, refunds and idempotency records in payments' database, on SQLite or PostgreSQL. Every money-moving
// operation runs inside one write transaction together with its idempotency record, and write transactions
// are serialized across every replica (service-kit's writeTransaction), so "exactly once" is a property of the
// database (write lock + primary key + UNIQUE(order_id)), not of how requests or replicas are scheduled.
import { randomUUID } from 'node:crypto';

import { integerColumn, isConstraintViolation, textColumn } from '@airlock/service-kit/database';
import type { SqlDatabase, SqlExecutor, SqlRow } from '@airlock/service-kit/database';

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

export class PaymentsRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /**
   * Runs `work` at most once per (user, key): inside one write transaction it either replays the recorded
   * response, reports a reuse with a different request, or runs `work` and records its response. If `work`
   * throws, everything rolls back and nothing is recorded, so the client may retry with the same key.
   */
  async runIdempotent(
    scope: IdempotencyScope,
    work: (tx: PaymentsTransaction) => Promise<RecordedResponse>,
  ): Promise<IdempotentOutcome> {
    const attempt = (): Promise<IdempotentOutcome> =>
      this.#db.writeTransaction((tx) => runIdempotentIn(tx, scope, work));
    try {
      return await attempt();
    } catch (error) {
      // Only reachable if another writer stored the same key or order between our reads and writes, which the
      // serialized write transactions rule out; if it ever happens the constraint refused the duplicate, and
      // re-running the transaction sees the winner's record and replays it.
      if (!isConstraintViolation(error)) throw error;
      return attempt();
    }
  }

  async countCharges(): Promise<number> {
    const row = await this.#db.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM charges');
    return row === undefined ? 0 : integerColumn(row, 'n');
  }
}

/** What a money-moving operation may do inside its idempotent write transaction. */
export class PaymentsTransaction {
  readonly #tx: SqlExecutor;

  constructor(tx: SqlExecutor) {
    this.#tx = tx;
  }

  async findChargeByOrder(orderId: string): Promise<Charge | undefined> {
    const row = await this.#tx.get('SELECT * FROM charges WHERE order_id = ?', [orderId]);
    return row === undefined ? undefined : toCharge(row);
  }

  async findCharge(id: string): Promise<Charge | undefined> {
    const row = await this.#tx.get('SELECT * FROM charges WHERE id = ?', [id]);
    return row === undefined ? undefined : toCharge(row);
  }

  async insertCharge(charge: NewCharge, now: Date): Promise<Charge> {
    const created: Charge = {
      id: `ch_${randomUUID()}`,
      ...charge,
      status: 'succeeded',
      refundedAmount: 0,
      createdAt: now.toISOString(),
    };
    await this.#tx.run(
      `INSERT INTO charges (id, user_sub, order_id, amount, currency, payment_method, status, refunded_amount, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        created.id,
        created.userSub,
        created.orderId,
        created.amount,
        created.currency,
        created.paymentMethod,
        created.status,
        created.refundedAmount,
        created.createdAt,
      ],
    );
    return created;
  }

  /** Records a refund and raises the charge's refunded amount; the CHECK constraint caps it at the charge. */
  async insertRefund(charge: Charge, amount: number, requestedBy: string, now: Date): Promise<Refund> {
    const refund: Refund = {
      id: `re_${randomUUID()}`,
      chargeId: charge.id,
      amount,
      requestedBy,
      createdAt: now.toISOString(),
    };
    await this.#tx.run(
      'INSERT INTO refunds (id, charge_id, amount, requested_by, created_at) VALUES (?, ?, ?, ?, ?)',
      [refund.id, refund.chargeId, refund.amount, refund.requestedBy, refund.createdAt],
    );
    await this.#tx.run('UPDATE charges SET refunded_amount = refunded_amount + ? WHERE id = ?', [
      amount,
      charge.id,
    ]);
    return refund;
  }
}

async function runIdempotentIn(
  tx: SqlExecutor,
  scope: IdempotencyScope,
  work: (tx: PaymentsTransaction) => Promise<RecordedResponse>,
): Promise<IdempotentOutcome> {
  const recorded = await tx.get(
    'SELECT * FROM idempotency_records WHERE user_sub = ? AND idempotency_key = ?',
    [scope.userSub, scope.key],
  );
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
  const response = await work(new PaymentsTransaction(tx));
  await tx.run(
    `INSERT INTO idempotency_records (user_sub, idempotency_key, request_hash, response_status, response_body, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [
      scope.userSub,
      scope.key,
      scope.requestHash,
      response.status,
      JSON.stringify(response.body),
      new Date().toISOString(),
    ],
  );
  return { kind: 'fresh', response };
}

function toCharge(row: SqlRow): Charge {
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
