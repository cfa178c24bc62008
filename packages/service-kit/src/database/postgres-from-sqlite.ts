// A service's PostgreSQL migrations from its SQLite ones, when its SQL is portable but for SQLite's table
// options (STRICT, WITHOUT ROWID). Anything else SQLite-only is refused, so a migration that needs a different
// text per engine is written out for PostgreSQL instead of being translated wrongly.
import { MigrationError } from '../sqlite/migrations.js';
import type { Migration } from '../sqlite/migrations.js';

/** SQLite constructs with no PostgreSQL meaning. */
const SQLITE_ONLY = /\b(PRAGMA|AUTOINCREMENT|GLOB|INSERT\s+OR|REPLACE\s+INTO)\b/i;

export function postgresFromSqlite(migrations: readonly Migration[]): Migration[] {
  return migrations.map((migration) => {
    if (SQLITE_ONLY.test(migration.sql)) {
      throw new MigrationError(
        'migrations_invalid',
        `migration ${String(migration.version)} uses SQLite-only SQL: write its PostgreSQL text out`,
      );
    }
    return {
      ...migration,
      sql: migration.sql.replace(/\)\s*(STRICT|WITHOUT ROWID)(\s*,\s*(STRICT|WITHOUT ROWID))?\s*;/g, ');'),
    };
  });
}
