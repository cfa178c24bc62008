// Orders' schema, as numbered migrations per engine: service-kit's runner applies them in order at start-up,
// each once, each in its own transaction. Never renumber or edit a released migration; add the next number.
import { postgresFromSqlite } from '@airlock/service-kit/database';
import type { EngineMigrations, Migration } from '@airlock/service-kit/database';

const sqliteMigrations: readonly Migration[] = [
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

export const ordersMigrations: EngineMigrations = {
  sqlite: sqliteMigrations,
  // The same tables, types and constraints: orders' SQL is portable but for SQLite's STRICT table option.
  postgres: postgresFromSqlite(sqliteMigrations),
};
