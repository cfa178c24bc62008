// Payments' schema, as numbered migrations per engine: service-kit's runner applies them in order at start-up,
// each once, each in its own transaction. Never renumber or edit a released migration; add the next number.
import { postgresFromSqlite } from '@airlock/service-kit/database';
import type { EngineMigrations, Migration } from '@airlock/service-kit/database';

const sqliteMigrations: readonly Migration[] = [
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

export const paymentsMigrations: EngineMigrations = {
  sqlite: sqliteMigrations,
  // The same tables, types and constraints: payments' SQL is portable but for SQLite's STRICT table option.
  postgres: postgresFromSqlite(sqliteMigrations),
};
