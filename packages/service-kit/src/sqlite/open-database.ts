// Opens a service's SQLite file with the settings the services' guarantees rely on, then migrates it to the
// latest schema of the service's own migrations.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { runMigrations } from './migrations.js';
import type { Migration } from './migrations.js';

/** How long a writer waits for another process's write lock before failing, instead of failing at once. */
const BUSY_TIMEOUT_MS = 5000;

/** The open, migrated database; `':memory:'` for one that lives and dies with the connection. */
export function openSqliteDatabase(file: string, migrations: readonly Migration[]): DatabaseSync {
  if (file !== ':memory:') {
    // Owner-only: a service's database holds its users' data (who ordered or paid what); no other local user
    // has a reason to read it.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }
  const db = new DatabaseSync(file);
  try {
    // Before WAL mode is set: SQLite gives the -wal and -shm files the database file's permissions.
    if (file !== ':memory:') chmodSync(file, 0o600);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec('PRAGMA journal_mode = WAL');
    // FULL: what was answered as done (an order paid, a charge succeeded) must still be done after a power loss.
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    runMigrations(db, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
