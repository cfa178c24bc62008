// The one database interface a service's repositories are written against, whichever engine is behind it:
// SQLite (the embedded default) or PostgreSQL (for replicas). Repositories write one SQL text for both,
// with `?` placeholders, so the two engines run the same statements and cannot drift.
import type { Migration } from '../sqlite/migrations.js';

/** A value bound to a `?` placeholder. */
export type SqlParam = string | number | null;

/** A result row, by column name; read it with textColumn / integerColumn. */
export type SqlRow = Readonly<Record<string, unknown>>;

export type DatabaseEngine = 'sqlite' | 'postgres';

/** What runs statements: the database itself, or one write transaction of it. */
export interface SqlExecutor {
  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  get(sql: string, params?: readonly SqlParam[]): Promise<SqlRow | undefined>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly engine: DatabaseEngine;
  /**
   * Runs `work` in one write transaction that commits whole or leaves nothing behind. Write transactions of
   * one database are serialized, across every process that shares it (SQLite: BEGIN IMMEDIATE's write lock;
   * PostgreSQL: a transaction-level advisory lock), so a "is there a record?" read and the insert that
   * follows cannot interleave with another writer. Use only `tx` inside `work`.
   */
  writeTransaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** For readiness: the database answers a query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A service's schema, written once per engine; each list is numbered 1, 2, 3... and only ever appended to. */
export interface EngineMigrations {
  readonly sqlite: readonly Migration[];
  readonly postgres: readonly Migration[];
}
