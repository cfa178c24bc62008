// Numbered schema migrations, applied in order at start-up, each in its own transaction and recorded in
// `schema_migrations`, so a database is always at one known version. Each service keeps its own list.
import type { DatabaseSync } from 'node:sqlite';

import { immediateTransaction } from './transaction.js';

export interface Migration {
  /** 1, 2, 3...: applied in this order, each exactly once. Never renumber or edit a released migration. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code: 'database_too_new' | 'migrations_invalid';

  constructor(code: MigrationError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** Brings `db` up to the latest version; returns the versions it applied. */
export function runMigrations(db: DatabaseSync, migrations: readonly Migration[]): number[] {
  checkNumbering(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const current = currentVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    // A newer build wrote this file; running old code on it could corrupt data, so refuse to start.
    throw new MigrationError(
      'database_too_new',
      `database is at schema version ${current}, this build knows up to ${latest}`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    immediateTransaction(db, () => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    });
    applied.push(migration.version);
  }
  return applied;
}

export function currentVersion(db: DatabaseSync): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get();
  const version = row?.['version'];
  return typeof version === 'number' ? version : 0;
}

function checkNumbering(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError('migrations_invalid', 'migrations must be numbered 1, 2, 3... without gaps');
    }
  });
}
