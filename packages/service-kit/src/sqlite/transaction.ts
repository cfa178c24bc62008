// Runs work in one SQLite write transaction that either commits whole or leaves nothing behind.
import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` inside `BEGIN IMMEDIATE` ... `COMMIT`, and rolls back if it throws. IMMEDIATE takes the write
 * lock before the first read, so a "is there a record?" check and the insert that follows cannot interleave
 * with another writer, in this process or another. `work` must be synchronous: node:sqlite is, and an await
 * inside would let other requests run in the middle of the transaction.
 */
export function immediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
