// Numbered schema migrations for payments' SQLite database, applied in order at start-up, each in its own
// transaction and recorded in `schema_migrations`, so a database is always at one known version.
import type { DatabaseSync } from 'node:sqlite';

export interface Migration {
  /** 1, 2, 3...: applied in this order, each exactly once. Never renumber or edit a released migration. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const paymentsMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'charges, refunds and idempotency records',
    sql: `
      -- One charge per order: the UNIQUE constraint on order_id is what makes a double charge impossible,
      -- whatever the idempotency key. amount, currency and user_sub bind the charge to what was first asked.
      CREATE TABLE charges (
        id TEXT PRIMARY KEY,
        user_sub TEXT NOT NULL,
        order_id TEXT NOT NULL UNIQUE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        payment_method TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('succeeded')),
        refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE refunds (
        id TEXT PRIMARY KEY,
        charge_id TEXT NOT NULL REFERENCES charges (id),
        amount INTEGER NOT NULL CHECK (amount > 0),
        requested_by TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX refunds_by_charge ON refunds (charge_id);

      -- The first answer given to (user, key); replays get it back verbatim. The primary key makes a second
      -- insert for the same pair fail, so two racing requests cannot both record (and both perform) work.
      CREATE TABLE idempotency_records (
        user_sub TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response_status INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_sub, idempotency_key)
      ) STRICT;
    `,
  },
];

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
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
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
