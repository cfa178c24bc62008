// Opens orders' SQLite file (who ordered what) with service-kit's settings, migrated to orders' latest schema.
import type { DatabaseSync } from 'node:sqlite';

import { openSqliteDatabase } from '@airlock/service-kit/sqlite';

import { ordersMigrations } from './migrations.js';

export function openOrdersDatabase(file: string): DatabaseSync {
  return openSqliteDatabase(file, ordersMigrations);
}
