// The public API of @airlock/service-kit/sqlite: a service's SQLite database over node:sqlite. Its own entry,
// so that services without a database never load node:sqlite. Nothing else is exported.
export { openSqliteDatabase } from './open-database.js';
export { MigrationError, currentVersion, runMigrations } from './migrations.js';
export type { Migration } from './migrations.js';
export { integerColumn, textColumn } from './row.js';
export type { Row } from './row.js';
export { immediateTransaction } from './transaction.js';
