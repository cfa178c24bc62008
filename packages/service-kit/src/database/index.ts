// The public API of @airlock/service-kit/database: a service's database on SQLite (default) or PostgreSQL
// (AIRLOCK_DATABASE_URL), behind one interface its repositories are written against.
export { isConstraintViolation, openServiceDatabase } from './open-service-database.js';
export type { DatabaseLocation } from './open-service-database.js';
export { postgresFromSqlite } from './postgres-from-sqlite.js';
export { sqliteDatabase } from './sqlite-database.js';
export type {
  DatabaseEngine,
  EngineMigrations,
  SqlDatabase,
  SqlExecutor,
  SqlParam,
  SqlRow,
} from './sql-database.js';
export { MigrationError } from '../sqlite/migrations.js';
export type { Migration } from '../sqlite/migrations.js';
export { integerColumn, textColumn } from '../sqlite/row.js';
