// Numbered schema migrations for orders' SQLite database, applied in order at start-up, each in its own
// transaction and recorded in `schema_migrations`, so a database is always at one known version.
import type { DatabaseSync } from 'node:sqlite';

export interface Migration {
  /** 1, 2, 3...: applied in this order, each exactly once. Never renumber or edit a released migration. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const ordersMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'catalog, orders and order items',
    sql: `
      CREATE TABLE catalog_items (
        sku TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        price INTEGER NOT NULL CHECK (price > 0),
        currency TEXT NOT NULL
      ) STRICT;

      -- owner_sub is the token subject that created the order; every user-facing query filters on it.
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        owner_sub TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'refunded')),
        total INTEGER NOT NULL CHECK (total > 0),
        currency TEXT NOT NULL,
        refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= total),
        charge_id TEXT,
        created_at TEXT NOT NULL,
        paid_at TEXT,
        CHECK ((status = 'pending_payment') = (charge_id IS NULL))
      ) STRICT;
      CREATE INDEX orders_by_owner ON orders (owner_sub, created_at);

      -- Name and price are copied at order time: a later catalog change does not rewrite past orders.
      CREATE TABLE order_items (
        order_id TEXT NOT NULL REFERENCES orders (id),
        position INTEGER NOT NULL,
        sku TEXT NOT NULL,
        name TEXT NOT NULL,
        unit_price INTEGER NOT NULL CHECK (unit_price > 0),
        quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 100),
        PRIMARY KEY (order_id, position)
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'seed the catalog',
    sql: `
      INSERT INTO catalog_items (sku, name, price, currency) VALUES
        ('tea-sencha', 'Sencha green tea, 100 g', 899, 'EUR'),
        ('mug-enamel', 'Enamel mug', 1450, 'EUR'),
        ('kettle-gooseneck', 'Gooseneck kettle', 4999, 'EUR'),
        ('notebook-a5', 'A5 dot-grid notebook', 650, 'EUR');
    `,
  },
  {
    version: 3,
    name: 'payment attempts and recorded results',
    sql: `
      -- Every call orders makes to payments, successful or not, for reconciliation and incident response.
      CREATE TABLE payment_attempts (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders (id),
        kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
        requested_by TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        payments_idempotency_key TEXT NOT NULL,
        amount INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('started', 'succeeded', 'failed')),
        failure_reason TEXT,
        payments_reference TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX payment_attempts_by_order ON payment_attempts (order_id, started_at);

      -- The answer given to a successful pay or refund, replayed for the same order and client key.
      CREATE TABLE recorded_results (
        operation TEXT NOT NULL CHECK (operation IN ('pay', 'refund')),
        order_id TEXT NOT NULL REFERENCES orders (id),
        idempotency_key TEXT NOT NULL,
        response_status INTEGER NOT NULL,
        response_body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (operation, order_id, idempotency_key)
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
