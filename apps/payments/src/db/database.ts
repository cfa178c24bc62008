// Opens payments' database (who paid what) on the engine its config selects, migrated to payments' latest schema.
import { openServiceDatabase } from '@airlock/service-kit/database';
import type { DatabaseLocation, SqlDatabase } from '@airlock/service-kit/database';

import { paymentsMigrations } from './migrations.js';

export function openPaymentsDatabase(location: DatabaseLocation): Promise<SqlDatabase> {
  return openServiceDatabase(location, paymentsMigrations);
}
