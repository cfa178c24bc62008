// Opens orders' SQLite file with the settings its guarantees rely on, then migrates it to the latest schema.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { ordersMigrations, runMigrations } from './migrations.js';

/** How long a writer waits for another process's write lock before failing, instead of failing at once. */
const BUSY_TIMEOUT_MS = 5000;

export function openOrdersDatabase(file: string): DatabaseSync {
  if (file !== ':memory:') {
    // Owner-only: the database holds who ordered what; no other local user has a reason to read it.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }
  const db = new DatabaseSync(file);
  try {
    // Before WAL mode is set: SQLite gives the -wal and -shm files the database file's permissions.
    if (file !== ':memory:') chmodSync(file, 0o600);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec('PRAGMA journal_mode = WAL');
    // FULL: an order answered as paid must still be paid after a power loss.
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    runMigrations(db, ordersMigrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
