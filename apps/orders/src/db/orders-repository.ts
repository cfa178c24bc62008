// The catalog, orders, payment attempts and recorded results in orders' database. Every read a user can
// trigger filters on the owner in SQL, so another user's order is simply not found (OWASP API1).
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

import { immediateTransaction, integerColumn, textColumn } from '@airlock/service-kit/sqlite';
import type { Row } from '@airlock/service-kit/sqlite';

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
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  listCatalog(): CatalogItem[] {
    return this.#db.prepare('SELECT * FROM catalog_items ORDER BY sku').all().map(toCatalogItem);
  }

  findCatalogItem(sku: string): CatalogItem | undefined {
    const row = this.#db.prepare('SELECT * FROM catalog_items WHERE sku = ?').get(sku);
    return row === undefined ? undefined : toCatalogItem(row);
  }

  createOrder(order: NewOrder, now: Date): Order {
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
    immediateTransaction(this.#db, () => {
      this.#db
        .prepare(
          `INSERT INTO orders (id, owner_sub, status, total, currency, refunded_amount, charge_id, created_at, paid_at)
           VALUES (?, ?, ?, ?, ?, 0, NULL, ?, NULL)`,
        )
        .run(
          created.id,
          created.ownerSub,
          created.status,
          created.total,
          created.currency,
          created.createdAt,
        );
      const insertItem = this.#db.prepare(
        'INSERT INTO order_items (order_id, position, sku, name, unit_price, quantity) VALUES (?, ?, ?, ?, ?, ?)',
      );
      created.items.forEach((item, position) => {
        insertItem.run(created.id, position, item.sku, item.name, item.unitPrice, item.quantity);
      });
    });
    return created;
  }

  /** The order if it exists and belongs to `ownerSub`; otherwise undefined, whichever of the two failed. */
  findOrderOwnedBy(id: string, ownerSub: string): Order | undefined {
    const row = this.#db.prepare('SELECT * FROM orders WHERE id = ? AND owner_sub = ?').get(id, ownerSub);
    return row === undefined ? undefined : this.#withItems(row);
  }

  /** Any user's order: for admin routes only, behind the admin scope. */
  findOrderForAdmin(id: string): Order | undefined {
    const row = this.#db.prepare('SELECT * FROM orders WHERE id = ?').get(id);
    return row === undefined ? undefined : this.#withItems(row);
  }

  /** True when an order with this id exists at all; only for the audit line of a refused access. */
  orderExists(id: string): boolean {
    return this.#db.prepare('SELECT 1 AS found FROM orders WHERE id = ?').get(id) !== undefined;
  }

  listOrdersOwnedBy(ownerSub: string, filter: ListFilter): Order[] {
    const rows =
      filter.status === undefined
        ? this.#db
            .prepare('SELECT * FROM orders WHERE owner_sub = ? ORDER BY created_at DESC, id LIMIT ?')
            .all(ownerSub, filter.limit)
        : this.#db
            .prepare(
              'SELECT * FROM orders WHERE owner_sub = ? AND status = ? ORDER BY created_at DESC, id LIMIT ?',
            )
            .all(ownerSub, filter.status, filter.limit);
    return rows.map((row) => this.#withItems(row));
  }

  listAllOrders(filter: ListFilter): Order[] {
    const rows =
      filter.status === undefined
        ? this.#db.prepare('SELECT * FROM orders ORDER BY created_at DESC, id LIMIT ?').all(filter.limit)
        : this.#db
            .prepare('SELECT * FROM orders WHERE status = ? ORDER BY created_at DESC, id LIMIT ?')
            .all(filter.status, filter.limit);
    return rows.map((row) => this.#withItems(row));
  }

  findRecordedResult(operation: ResultOperation, orderId: string, key: string): RecordedResult | undefined {
    const row = this.#db
      .prepare('SELECT * FROM recorded_results WHERE operation = ? AND order_id = ? AND idempotency_key = ?')
      .get(operation, orderId, key);
    if (row === undefined) return undefined;
    return {
      status: integerColumn(row, 'response_status'),
      body: JSON.parse(textColumn(row, 'response_body')) as unknown,
    };
  }

  startAttempt(attempt: NewAttempt, now: Date): string {
    const id = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO payment_attempts (id, order_id, kind, requested_by, idempotency_key, payments_idempotency_key,
           amount, outcome, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'started', ?)`,
      )
      .run(
        id,
        attempt.orderId,
        attempt.kind,
        attempt.requestedBy,
        attempt.idempotencyKey,
        attempt.paymentsIdempotencyKey,
        attempt.amount,
        now.toISOString(),
      );
    return id;
  }

  failAttempt(attemptId: string, reason: string, now: Date): void {
    this.#db
      .prepare(
        "UPDATE payment_attempts SET outcome = 'failed', failure_reason = ?, finished_at = ? WHERE id = ?",
      )
      .run(reason, now.toISOString(), attemptId);
  }

  /**
   * Marks a pending order paid by a confirmed charge, closes the attempt and records the answer for the
   * client key, in one transaction. Returns the order as it is afterwards (paid, possibly by a concurrent
   * request that confirmed the same charge first).
   */
  completePayment(
    input: { orderId: string; attemptId: string; chargeId: string; clientKey: string; now: Date },
    respond: (order: Order) => RecordedResult,
  ): RecordedResult {
    return immediateTransaction(this.#db, () => {
      const timestamp = input.now.toISOString();
      this.#db
        .prepare(
          "UPDATE orders SET status = 'paid', charge_id = ?, paid_at = ? WHERE id = ? AND status = 'pending_payment'",
        )
        .run(input.chargeId, timestamp, input.orderId);
      this.#finishAttempt(input.attemptId, input.chargeId, timestamp);
      return this.#recordResult('pay', input.orderId, input.clientKey, respond, timestamp);
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
  ): RecordedResult {
    return immediateTransaction(this.#db, () => {
      // A concurrent request with the same key confirmed the same refund first (payments replayed it to
      // both): adding the amount again would count one refund twice.
      const existing = this.findRecordedResult('refund', input.orderId, input.clientKey);
      if (existing !== undefined) return existing;
      const timestamp = input.now.toISOString();
      this.#db
        .prepare(
          `UPDATE orders SET refunded_amount = refunded_amount + ?,
             status = CASE WHEN refunded_amount + ? = total THEN 'refunded' ELSE status END
           WHERE id = ?`,
        )
        .run(input.amount, input.amount, input.orderId);
      this.#finishAttempt(input.attemptId, input.refundId, timestamp);
      return this.#recordResult('refund', input.orderId, input.clientKey, respond, timestamp);
    });
  }

  #finishAttempt(attemptId: string, reference: string, timestamp: string): void {
    this.#db
      .prepare(
        "UPDATE payment_attempts SET outcome = 'succeeded', payments_reference = ?, finished_at = ? WHERE id = ?",
      )
      .run(reference, timestamp, attemptId);
  }

  #recordResult(
    operation: ResultOperation,
    orderId: string,
    clientKey: string,
    respond: (order: Order) => RecordedResult,
    timestamp: string,
  ): RecordedResult {
    // A concurrent request with the same key may have recorded first: its answer is the answer.
    const existing = this.findRecordedResult(operation, orderId, clientKey);
    if (existing !== undefined) return existing;
    const order = this.findOrderForAdmin(orderId);
    if (order === undefined) throw new Error('order vanished inside its own transaction');
    const result = respond(order);
    this.#db
      .prepare(
        `INSERT INTO recorded_results (operation, order_id, idempotency_key, response_status, response_body, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(operation, orderId, clientKey, result.status, JSON.stringify(result.body), timestamp);
    return result;
  }

  #withItems(row: Row): Order {
    const id = textColumn(row, 'id');
    const items = this.#db
      .prepare('SELECT * FROM order_items WHERE order_id = ? ORDER BY position')
      .all(id)
      .map((item) => ({
        sku: textColumn(item, 'sku'),
        name: textColumn(item, 'name'),
        unitPrice: integerColumn(item, 'unit_price'),
        quantity: integerColumn(item, 'quantity'),
      }));
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
}

function toCatalogItem(row: Row): CatalogItem {
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

function nullableText(row: Row, name: string): string | null {
  return row[name] === null ? null : textColumn(row, name);
}
