// The catalog, orders, payment attempts and recorded results in orders' database. Every read a user can
// trigger filters on the owner in SQL, so another user's order is simply not found (OWASP API1).
// Runs on SQLite or PostgreSQL (service-kit's database); write transactions are serialized across replicas.
import { randomUUID } from 'node:crypto';

import { integerColumn, textColumn } from '@airlock/service-kit/database';
import type { SqlDatabase, SqlExecutor, SqlRow } from '@airlock/service-kit/database';

export type OrderStatus = 'pending_payment' | 'paid' | 'refunded';
export const ORDER_STATUSES: readonly OrderStatus[] = ['pending_payment', 'paid', 'refunded'];

export interface CatalogItem {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
}

export interface OrderItem {
  readonly sku: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly quantity: number;
}

export interface Order {
  readonly id: string;
  readonly ownerSub: string;
  readonly status: OrderStatus;
  readonly total: number;
  readonly currency: string;
  readonly refundedAmount: number;
  readonly chargeId: string | null;
  readonly createdAt: string;
  readonly paidAt: string | null;
  readonly items: readonly OrderItem[];
}

export interface NewOrder {
  readonly ownerSub: string;
  readonly currency: string;
  readonly items: readonly OrderItem[];
}

export interface ListFilter {
  readonly status?: OrderStatus;
  readonly limit: number;
}

export interface RecordedResult {
  readonly status: number;
  readonly body: unknown;
}

export type ResultOperation = 'pay' | 'refund';

export interface NewAttempt {
  readonly orderId: string;
  readonly kind: 'charge' | 'refund';
  readonly requestedBy: string;
  readonly idempotencyKey: string;
  readonly paymentsIdempotencyKey: string;
  readonly amount: number;
}

export class OrdersRepository {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async listCatalog(): Promise<CatalogItem[]> {
    return (await this.#db.all('SELECT * FROM catalog_items ORDER BY sku')).map(toCatalogItem);
  }

  async findCatalogItem(sku: string): Promise<CatalogItem | undefined> {
    const row = await this.#db.get('SELECT * FROM catalog_items WHERE sku = ?', [sku]);
    return row === undefined ? undefined : toCatalogItem(row);
  }

  async createOrder(order: NewOrder, now: Date): Promise<Order> {
    const created: Order = {
      id: randomUUID(),
      ownerSub: order.ownerSub,
      status: 'pending_payment',
      total: order.items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0),
      currency: order.currency,
      refundedAmount: 0,
      chargeId: null,
      createdAt: now.toISOString(),
      paidAt: null,
      items: order.items,
    };
    await this.#db.writeTransaction(async (tx) => {
      await tx.run(
        `INSERT INTO orders (id, owner_sub, status, total, currency, refunded_amount, charge_id, created_at, paid_at)
         VALUES (?, ?, ?, ?, ?, 0, NULL, ?, NULL)`,
        [created.id, created.ownerSub, created.status, created.total, created.currency, created.createdAt],
      );
      for (const [position, item] of created.items.entries()) {
        await tx.run(
          'INSERT INTO order_items (order_id, position, sku, name, unit_price, quantity) VALUES (?, ?, ?, ?, ?, ?)',
          [created.id, position, item.sku, item.name, item.unitPrice, item.quantity],
        );
      }
    });
    return created;
  }

  /** The order if it exists and belongs to `ownerSub`; otherwise undefined, whichever of the two failed. */
  async findOrderOwnedBy(id: string, ownerSub: string): Promise<Order | undefined> {
    const row = await this.#db.get('SELECT * FROM orders WHERE id = ? AND owner_sub = ?', [id, ownerSub]);
    return row === undefined ? undefined : withItems(this.#db, row);
  }

  /** Any user's order: for admin routes only, behind the admin scope. */
  findOrderForAdmin(id: string): Promise<Order | undefined> {
    return findOrder(this.#db, id);
  }

  /** True when an order with this id exists at all; only for the audit line of a refused access. */
  async orderExists(id: string): Promise<boolean> {
    return (await this.#db.get('SELECT 1 AS found FROM orders WHERE id = ?', [id])) !== undefined;
  }

  async listOrdersOwnedBy(ownerSub: string, filter: ListFilter): Promise<Order[]> {
    const rows =
      filter.status === undefined
        ? await this.#db.all(
            'SELECT * FROM orders WHERE owner_sub = ? ORDER BY created_at DESC, id LIMIT ?',
            [ownerSub, filter.limit],
          )
        : await this.#db.all(
            'SELECT * FROM orders WHERE owner_sub = ? AND status = ? ORDER BY created_at DESC, id LIMIT ?',
            [ownerSub, filter.status, filter.limit],
          );
    return Promise.all(rows.map((row) => withItems(this.#db, row)));
  }

  async listAllOrders(filter: ListFilter): Promise<Order[]> {
    const rows =
      filter.status === undefined
        ? await this.#db.all('SELECT * FROM orders ORDER BY created_at DESC, id LIMIT ?', [filter.limit])
        : await this.#db.all('SELECT * FROM orders WHERE status = ? ORDER BY created_at DESC, id LIMIT ?', [
            filter.status,
            filter.limit,
          ]);
    return Promise.all(rows.map((row) => withItems(this.#db, row)));
  }

  findRecordedResult(
    operation: ResultOperation,
    orderId: string,
    key: string,
  ): Promise<RecordedResult | undefined> {
    return findRecordedResult(this.#db, operation, orderId, key);
  }

  async startAttempt(attempt: NewAttempt, now: Date): Promise<string> {
    const id = randomUUID();
    await this.#db.run(
      `INSERT INTO payment_attempts (id, order_id, kind, requested_by, idempotency_key, payments_idempotency_key,
         amount, outcome, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'started', ?)`,
      [
        id,
        attempt.orderId,
        attempt.kind,
        attempt.requestedBy,
        attempt.idempotencyKey,
        attempt.paymentsIdempotencyKey,
        attempt.amount,
        now.toISOString(),
      ],
    );
    return id;
  }

  async failAttempt(attemptId: string, reason: string, now: Date): Promise<void> {
    await this.#db.run(
      "UPDATE payment_attempts SET outcome = 'failed', failure_reason = ?, finished_at = ? WHERE id = ?",
      [reason, now.toISOString(), attemptId],
    );
  }

  /**
   * Marks a pending order paid by a confirmed charge, closes the attempt and records the answer for the
   * client key, in one transaction. Returns the order as it is afterwards (paid, possibly by a concurrent
   * request that confirmed the same charge first).
   */
  completePayment(
    input: { orderId: string; attemptId: string; chargeId: string; clientKey: string; now: Date },
    respond: (order: Order) => RecordedResult,
  ): Promise<RecordedResult> {
    return this.#db.writeTransaction(async (tx) => {
      const timestamp = input.now.toISOString();
      await tx.run(
        "UPDATE orders SET status = 'paid', charge_id = ?, paid_at = ? WHERE id = ? AND status = 'pending_payment'",
        [input.chargeId, timestamp, input.orderId],
      );
      await finishAttempt(tx, input.attemptId, input.chargeId, timestamp);
      return recordResult(
        tx,
        { operation: 'pay', orderId: input.orderId, clientKey: input.clientKey, timestamp },
        respond,
      );
    });
  }

  /** Adds a confirmed refund to the order (refunded in full: status `refunded`) and records the answer. */
  completeRefund(
    input: {
      orderId: string;
      attemptId: string;
      refundId: string;
      amount: number;
      clientKey: string;
      now: Date;
    },
    respond: (order: Order) => RecordedResult,
  ): Promise<RecordedResult> {
    return this.#db.writeTransaction(async (tx) => {
      // A concurrent request with the same key confirmed the same refund first (payments replayed it to
      // both): adding the amount again would count one refund twice.
      const existing = await findRecordedResult(tx, 'refund', input.orderId, input.clientKey);
      if (existing !== undefined) return existing;
      const timestamp = input.now.toISOString();
      await tx.run(
        `UPDATE orders SET refunded_amount = refunded_amount + ?,
           status = CASE WHEN refunded_amount + ? = total THEN 'refunded' ELSE status END
         WHERE id = ?`,
        [input.amount, input.amount, input.orderId],
      );
      await finishAttempt(tx, input.attemptId, input.refundId, timestamp);
      return recordResult(
        tx,
        { operation: 'refund', orderId: input.orderId, clientKey: input.clientKey, timestamp },
        respond,
      );
    });
  }
}

async function findOrder(db: SqlExecutor, id: string): Promise<Order | undefined> {
  const row = await db.get('SELECT * FROM orders WHERE id = ?', [id]);
  return row === undefined ? undefined : withItems(db, row);
}

async function findRecordedResult(
  db: SqlExecutor,
  operation: ResultOperation,
  orderId: string,
  key: string,
): Promise<RecordedResult | undefined> {
  const row = await db.get(
    'SELECT * FROM recorded_results WHERE operation = ? AND order_id = ? AND idempotency_key = ?',
    [operation, orderId, key],
  );
  if (row === undefined) return undefined;
  return {
    status: integerColumn(row, 'response_status'),
    body: JSON.parse(textColumn(row, 'response_body')) as unknown,
  };
}

async function finishAttempt(
  tx: SqlExecutor,
  attemptId: string,
  reference: string,
  timestamp: string,
): Promise<void> {
  await tx.run(
    "UPDATE payment_attempts SET outcome = 'succeeded', payments_reference = ?, finished_at = ? WHERE id = ?",
    [reference, timestamp, attemptId],
  );
}

async function recordResult(
  tx: SqlExecutor,
  result: { operation: ResultOperation; orderId: string; clientKey: string; timestamp: string },
  respond: (order: Order) => RecordedResult,
): Promise<RecordedResult> {
  const { operation, orderId, clientKey, timestamp } = result;
  // A concurrent request with the same key may have recorded first: its answer is the answer.
  const existing = await findRecordedResult(tx, operation, orderId, clientKey);
  if (existing !== undefined) return existing;
  const order = await findOrder(tx, orderId);
  if (order === undefined) throw new Error('order vanished inside its own transaction');
  const answer = respond(order);
  await tx.run(
    `INSERT INTO recorded_results (operation, order_id, idempotency_key, response_status, response_body, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [operation, orderId, clientKey, answer.status, JSON.stringify(answer.body), timestamp],
  );
  return answer;
}

async function withItems(db: SqlExecutor, row: SqlRow): Promise<Order> {
  const id = textColumn(row, 'id');
  const items = (await db.all('SELECT * FROM order_items WHERE order_id = ? ORDER BY position', [id])).map(
    (item) => ({
      sku: textColumn(item, 'sku'),
      name: textColumn(item, 'name'),
      unitPrice: integerColumn(item, 'unit_price'),
      quantity: integerColumn(item, 'quantity'),
    }),
  );
  return {
    id,
    ownerSub: textColumn(row, 'owner_sub'),
    status: statusOf(textColumn(row, 'status')),
    total: integerColumn(row, 'total'),
    currency: textColumn(row, 'currency'),
    refundedAmount: integerColumn(row, 'refunded_amount'),
    chargeId: nullableText(row, 'charge_id'),
    createdAt: textColumn(row, 'created_at'),
    paidAt: nullableText(row, 'paid_at'),
    items,
  };
}

function toCatalogItem(row: SqlRow): CatalogItem {
  return {
    sku: textColumn(row, 'sku'),
    name: textColumn(row, 'name'),
    price: integerColumn(row, 'price'),
    currency: textColumn(row, 'currency'),
  };
}

function statusOf(value: string): OrderStatus {
  const status = ORDER_STATUSES.find((candidate) => candidate === value);
  if (status === undefined) throw new TypeError('column "status" has an unknown value');
  return status;
}

function nullableText(row: SqlRow, name: string): string | null {
  return row[name] === null ? null : textColumn(row, name);
}
