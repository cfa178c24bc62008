// What payments charged for one order, read from payments' own database on whichever engine the stack runs:
// the exactly-once suites count rows, not answers.
import { openPaymentsDatabase } from '@airlock/payments/database';

import { fieldOf } from './e2e-stack.js';

/** Where payments' database is: its PostgreSQL URL, or undefined for the SQLite file. */
export interface PaymentsDatabase {
  readonly databaseUrl: URL | undefined;
  readonly sqliteFile: string;
}

export async function chargesOf(database: PaymentsDatabase, orderId: string): Promise<number> {
  const db = await openPaymentsDatabase(database);
  try {
    const row = await db.get('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM charges WHERE order_id = ?', [
      orderId,
    ]);
    return Number(fieldOf(row, 'n'));
  } finally {
    await db.close();
  }
}
