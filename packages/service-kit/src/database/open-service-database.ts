// Opens a service's database on the engine its config selects: PostgreSQL when AIRLOCK_DATABASE_URL is set
// (replicas share it), otherwise the embedded SQLite file as before. Either way migrated before it is returned.
import { openSqliteDatabase } from '../sqlite/open-database.js';
import type { EngineMigrations, SqlDatabase } from './sql-database.js';
import { sqliteDatabase } from './sqlite-database.js';

export interface DatabaseLocation {
  /** postgres://…; undefined: SQLite at `sqliteFile`. */
  readonly databaseUrl: URL | undefined;
  readonly sqliteFile: string;
}

export async function openServiceDatabase(
  location: DatabaseLocation,
  migrations: EngineMigrations,
): Promise<SqlDatabase> {
  if (location.databaseUrl === undefined) {
    return sqliteDatabase(openSqliteDatabase(location.sqliteFile, migrations.sqlite));
  }
  // Loaded only when selected: a service on SQLite never loads node-postgres.
  const { openPostgresDatabase } = await import('./postgres-database.js');
  return openPostgresDatabase(location.databaseUrl, migrations.postgres);
}

/**
 * True for an error that a constraint raised (unique, check, foreign key): SQLite's SQLITE_CONSTRAINT family
 * or PostgreSQL's class 23 (integrity constraint violation).
 */
export function isConstraintViolation(error: unknown): boolean {
  // Structural, not instanceof: node:sqlite's errors may come from another realm (jest's VM contexts).
  if (typeof error !== 'object' || error === null) return false;
  // Extended result codes keep the primary code in the low byte (SQLITE_CONSTRAINT_UNIQUE = 2067 = 19 | 8<<8).
  if ('errcode' in error && typeof error.errcode === 'number')
    return (error.errcode & 0xff) === SQLITE_CONSTRAINT;
  return 'code' in error && typeof error.code === 'string' && error.code.startsWith('23');
}

const SQLITE_CONSTRAINT = 19;
