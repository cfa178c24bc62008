// Opens payments' SQLite file (who paid what) with service-kit's settings, migrated to payments' latest schema.
import type { DatabaseSync } from 'node:sqlite';

import { openSqliteDatabase } from '@airlock/service-kit/sqlite';

import { paymentsMigrations } from './migrations.js';

export function openPaymentsDatabase(file: string): DatabaseSync {
  return openSqliteDatabase(file, paymentsMigrations);
}
